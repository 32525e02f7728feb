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

    @ParameterizedTest
    @ValueSource(ints = {10, 100, 1000})
    void removingOneOfNBackendsMovesAtMostAbout1point2OverNOfTheFlows(int n) {
        String[] all = backends(n);
        int[] before = MaglevTable.build(all, M);
        int removed = n / 2;
        List<String> rest = new ArrayList<>(Arrays.asList(all));
        rest.remove(removed);
        int[] after = MaglevTable.build(rest.toArray(String[]::new), M);

        SplittableRandom random = new SplittableRandom(42);
        int flows = 100_000;
        int moved = 0;
        for (int i = 0; i < flows; i++) {
            int flowHash = random.nextInt();
            String was = all[before[MaglevTable.entryIndex(flowHash, M)]];
            String now = rest.get(after[MaglevTable.entryIndex(flowHash, M)]);
            if (!was.equals(now)) {
                moved++;
            }
        }
        double share = (double) moved / flows;
        assertTrue(share <= 1.2 / n, "n=" + n + ": " + share + " of flows moved, limit " + 1.2 / n);
        assertTrue(share >= 0.8 / n, "n=" + n + ": the removed backend's own flows must move, only " + share + " did");
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
    void adaptiveSizingGivesAtLeast100EntriesPerBackendUpTo65537() {
        MaglevSizing s = MaglevSizing.ADAPTIVE;
        assertEquals(251, s.sizeFor(1));
        assertEquals(509, s.sizeFor(3));
        assertEquals(65_537, s.sizeFor(656));
        assertEquals(65_537, s.sizeFor(5_000));
        assertEquals(65_537, MaglevSizing.fixed(65_537).sizeFor(2));
        for (int n = 1; n <= 2_000; n++) {
            int m = s.sizeFor(n);
            assertTrue(MaglevSizing.isPrime(m) && m > n, "n=" + n + " m=" + m);
        }
    }
}
