package io.isthmus.lb.maglev;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class MaglevTableTest {

    private static final int M = 65_537;

    static String[] backends(int n) {
        String[] names = new String[n];
        for (int i = 0; i < n; i++) {
            names[i] = "10." + (i >> 16 & 255) + "." + (i >> 8 & 255) + "." + (i & 255) + ":8080";
        }
        return names;
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3, 10, 100, 1000})
    void everyBackendGetsCloseToMOverNEntries(int n) {
        int[] table = MaglevTable.build(backends(n), M);
        int[] owned = new int[n];
        for (int backend : table) {
            owned[backend]++;
        }
        double fair = (double) M / n;
        int min = Arrays.stream(owned).min().orElseThrow();
        int max = Arrays.stream(owned).max().orElseThrow();
        // The paper's Pseudocode 1 gives each backend floor(M/N) or ceil(M/N) turns, and each turn
        // claims exactly one entry: the fill is balanced to within one entry.
        assertTrue(min >= Math.floor(fair) && max <= Math.ceil(fair), "n=" + n + " min " + min + " max " + max + " fair " + fair);
    }

    /** Share of {@code flows} random flow hashes whose backend (by name) differs between two tables. */
    static double movedShare(int[] before, String[] beforeNames, int[] after, String[] afterNames, int sizeM, int flows) {
        SplittableRandom random = new SplittableRandom(42);
        int moved = 0;
        for (int i = 0; i < flows; i++) {
            int e = MaglevTable.entryIndex(random.nextInt(), sizeM);
            if (!beforeNames[before[e]].equals(afterNames[after[e]])) {
                moved++;
            }
        }
        return (double) moved / flows;
    }

    static String[] without(String[] names, int index) {
        List<String> rest = new ArrayList<>(Arrays.asList(names));
        rest.remove(index);
        return rest.toArray(String[]::new);
    }

    /**
     * The paper's full rebuild is not minimally disruptive: the removed backend's entries move, and
     * so do entries other backends claim later in the fill. Measured with M = 65,537 over 100,000
     * flows: 1.02/N at N = 10, 1.6/N at N = 100, 6.3/N at N = 1,000 (the same ratios appear with
     * random offsets and skips, so it is the algorithm, not the hash). These bounds pin that down.
     */
    @ParameterizedTest
    @ValueSource(ints = {10, 100, 1000})
    void fullRebuildAfterRemovingOneOfNMovesTheRemovedShareAndSomeMore(int n) {
        String[] all = backends(n);
        String[] rest = without(all, n / 2);
        double share = movedShare(MaglevTable.build(all, M), all, MaglevTable.build(rest, M), rest, M, 100_000);
        double limit = n == 10 ? 1.2 / n : n == 100 ? 2.0 / n : 8.0 / n;
        assertTrue(share <= limit, "n=" + n + ": " + share + " of flows moved, limit " + limit);
        assertTrue(share >= 0.8 / n, "n=" + n + ": the removed backend's own flows must move, only " + share + " did");
    }

    @ParameterizedTest
    @ValueSource(ints = {10, 100, 1000})
    void updateAfterRemovingOneOfNMovesAtMost1point2OverN(int n) {
        String[] all = backends(n);
        String[] rest = without(all, n / 2);
        int[] before = MaglevTable.build(all, M);
        int[] after = MaglevTable.update(before, all, rest, M);
        double share = movedShare(before, all, after, rest, M, 100_000);
        assertTrue(share <= 1.2 / n, "n=" + n + ": " + share + " of flows moved, limit " + 1.2 / n);
        assertTrue(share >= 0.8 / n, "n=" + n + ": only " + share + " moved");
        assertBalanced(after, n - 1);
    }

    @ParameterizedTest
    @ValueSource(ints = {10, 100, 1000})
    void updateAfterAddingOneBackendMovesAboutItsShareAndStaysBalanced(int n) {
        String[] all = backends(n + 1);
        String[] old = Arrays.copyOf(all, n);
        int[] before = MaglevTable.build(old, M);
        int[] after = MaglevTable.update(before, old, all, M);
        double share = movedShare(before, old, after, all, M, 100_000);
        assertTrue(share <= 1.2 / (n + 1), "n=" + n + ": " + share + " moved");
        assertBalanced(after, n + 1);
    }

    @Test
    void updateWithTheSameBackendsChangesNothing() {
        String[] names = backends(50);
        int[] table = MaglevTable.build(names, M);
        assertArrayEquals(table, MaglevTable.update(table, names, names.clone(), M));
    }

    private static void assertBalanced(int[] table, int n) {
        int[] owned = new int[n];
        for (int backend : table) {
            owned[backend]++;
        }
        int min = Arrays.stream(owned).min().orElseThrow();
        int max = Arrays.stream(owned).max().orElseThrow();
        assertTrue(max - min <= 1, "min " + min + " max " + max);
    }

    @Test
    void sameNamesSameTable() {
        assertArrayEquals(MaglevTable.build(backends(7), 251), MaglevTable.build(backends(7), 251));
    }

    @Test
    void rejectsTablesThatCannotBeFilled() {
        assertThrows(IllegalArgumentException.class, () -> MaglevTable.build(backends(3), 100), "M must be prime");
        assertThrows(IllegalArgumentException.class, () -> MaglevTable.build(backends(300), 251), "M must exceed N");
        assertThrows(IllegalArgumentException.class, () -> MaglevTable.build(new String[0], 251));
    }

    @Test
    void entryIndexTreatsTheHashAsUnsigned() {
        assertEquals((int) (0xffff_ffffL % M), MaglevTable.entryIndex(-1, M));
        assertEquals(5, MaglevTable.entryIndex(5, M));
    }

    @Test
    void adaptiveSizingGivesAtLeast100EntriesPerBackendAbove16BackendsUpTo65537() {
        MaglevSizing s = MaglevSizing.ADAPTIVE;
        assertEquals(71, s.sizeFor(1), "small sets: what a compact bucket holds");
        assertEquals(71, s.sizeFor(3));
        assertEquals(151, s.sizeFor(4), "paired sets: the largest prime a paired bucket and its line hold");
        assertEquals(107, s.sizeFor(10));
        assertEquals(59, s.sizeFor(16));
        assertEquals(1_709, s.sizeFor(17), "above 16 backends: at least 100 entries each");
        assertEquals(401, new MaglevSizing(251, 65_537, 100, 3, 71).sizeFor(4), "without paired sets");
        assertEquals(1_009, new MaglevSizing(251, 65_537, 100, 3, 71).sizeFor(10));
        assertEquals(307, new MaglevSizing(251, 65_537, 100).sizeFor(3), "without small sets");
        assertEquals(251, new MaglevSizing(251, 65_537, 100).sizeFor(1));
        assertEquals(65_519, s.sizeFor(655), "the smallest prime >= 65,500");
        assertEquals(65_537, s.sizeFor(656));
        assertEquals(65_537, s.sizeFor(5_000));
        assertEquals(65_537, MaglevSizing.fixed(65_537).sizeFor(2));
        for (int n = 1; n <= 2_000; n++) {
            int m = s.sizeFor(n);
            assertTrue(MaglevSizing.isPrime(m) && m > n, "n=" + n + " m=" + m);
        }
    }

    /** Issue #6: removing one of N backends moves at most 1.2/N of the flows, also at the small paired M. */
    @Test
    void pairedSizesFitTheirBucketAndMoveAtMost1point2OverNOnARemoval() {
        for (int n = 4; n <= 16; n++) {
            int m = MaglevSizing.ADAPTIVE.sizeFor(n);
            assertTrue(m <= MaglevSizing.pairedCapacity(n) && MaglevSizing.ADAPTIVE.fitsLineBuckets(n, m), "n=" + n + " m=" + m);
            String[] all = backends(n);
            int[] before = MaglevTable.build(all, m);
            int[] counts = new int[n];
            for (int b : before) {
                counts[b]++;
            }
            for (int c : counts) {
                assertTrue(c == m / n || c == (m + n - 1) / n, "n=" + n + " m=" + m + ": a backend holds floor or ceil of M/N");
            }
            for (int gone = 0; gone < n; gone++) {
                String[] rest = new String[n - 1];
                for (int i = 0, j = 0; i < n; i++) {
                    if (i != gone) {
                        rest[j++] = all[i];
                    }
                }
                int[] after = MaglevTable.update(before, all, rest, m);
                int moved = 0;
                for (int e = 0; e < m; e++) {
                    if (!all[before[e]].equals(rest[after[e]])) {
                        moved++;
                    }
                }
                assertTrue(moved * (double) n <= 1.2 * m, "n=" + n + " m=" + m + " removing " + gone + " moved " + moved + " entries");
            }
        }
    }
}
