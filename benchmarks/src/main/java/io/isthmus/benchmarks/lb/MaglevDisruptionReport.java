package io.isthmus.benchmarks.lb;

import io.isthmus.lb.maglev.MaglevSizing;
import io.isthmus.lb.maglev.MaglevTable;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Measures the share of flows that change backend when one backend of N is removed, for the
 * paper's full rebuild and for {@link MaglevTable#update}, at M = 65,537 over 100,000 random flow
 * hashes (averaged over several removed backends), then the same for the update at the M the compiler's
 * adaptive sizing gives each N. Prints tables; the target is at most 1.2/N.
 * Then the thread CPU time (minimum and median of 30 runs; time descheduled does not count) of a
 * full build and of an update after one removal, for a machine shared with other work.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar io.isthmus.benchmarks.lb.MaglevDisruptionReport</pre>
 */
public final class MaglevDisruptionReport {

    private static final int M = 65_537;
    private static final int FLOWS = 100_000;
    private static final int REMOVALS = 5;

    private MaglevDisruptionReport() {
    }

    static String[] backendNames(int n) {
        String[] names = new String[n];
        for (int i = 0; i < n; i++) {
            names[i] = "10.244." + (i >> 8) + "." + (i & 255) + ":8080";
        }
        return names;
    }

    public static void main(String[] args) {
        System.out.println("M = " + M + ", " + FLOWS + " flows, mean over " + REMOVALS + " removals");
        System.out.println("    N | full rebuild moved | x(1/N) | update moved | x(1/N)");
        for (int n : new int[] {10, 100, 1000}) {
            String[] all = backendNames(n);
            int[] before = MaglevTable.build(all, M);
            double rebuilt = 0;
            double updated = 0;
            for (int r = 0; r < REMOVALS; r++) {
                String gone = all[(r * 7919 + n / 3) % n];
                String[] rest = Arrays.stream(all).filter(s -> !s.equals(gone)).toArray(String[]::new);
                rebuilt += moved(before, all, MaglevTable.build(rest, M), rest);
                updated += moved(before, all, MaglevTable.update(before, all, rest, M), rest);
            }
            rebuilt /= REMOVALS;
            updated /= REMOVALS;
            System.out.printf("%5d | %18.5f | %6.2f | %12.5f | %6.2f%n", n, rebuilt, rebuilt * n, updated, updated * n);
        }
        System.out.println("adaptive M (MaglevSizing.ADAPTIVE, what the compiler gives a backend set), update after one removal");
        System.out.println("    N |      M | entries per backend min..max | update moved | x(1/N)");
        for (int n : new int[] {2, 3, 4, 5, 6, 8, 10, 12, 13, 14, 15, 16, 17, 100, 1000}) {
            int sizeM = MaglevSizing.ADAPTIVE.sizeFor(n);
            String[] all = backendNames(n);
            int[] before = MaglevTable.build(all, sizeM);
            int[] perBackend = new int[n];
            for (int b : before) {
                perBackend[b]++;
            }
            double updated = 0;
            for (int r = 0; r < REMOVALS; r++) {
                String gone = all[(r * 7919 + n / 3) % n];
                String[] rest = Arrays.stream(all).filter(s -> !s.equals(gone)).toArray(String[]::new);
                updated += moved(before, all, MaglevTable.update(before, all, rest, sizeM), rest);
            }
            updated /= REMOVALS;
            System.out.printf("%5d | %6d | %14d..%-13d | %12.5f | %6.2f%n", n, sizeM, Arrays.stream(perBackend).min().orElseThrow(),
                    Arrays.stream(perBackend).max().orElseThrow(), updated, updated * n);
        }
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        System.out.println("    N | build CPU us min / median | update CPU us min / median");
        for (int n : new int[] {10, 100, 1000}) {
            String[] all = backendNames(n);
            String[] rest = Arrays.copyOf(all, n - 1);
            int[] table = MaglevTable.build(all, M);
            long[] build = new long[30];
            long[] update = new long[30];
            for (int warm = 0; warm < 20; warm++) {
                MaglevTable.build(all, M);
                MaglevTable.update(table, all, rest, M);
            }
            for (int r = 0; r < build.length; r++) {
                long t0 = threads.getCurrentThreadCpuTime();
                MaglevTable.build(all, M);
                long t1 = threads.getCurrentThreadCpuTime();
                MaglevTable.update(table, all, rest, M);
                long t2 = threads.getCurrentThreadCpuTime();
                build[r] = t1 - t0;
                update[r] = t2 - t1;
            }
            Arrays.sort(build);
            Arrays.sort(update);
            System.out.printf("%5d | %10.0f / %-12.0f | %10.0f / %-12.0f%n", n, build[0] / 1e3, build[15] / 1e3, update[0] / 1e3, update[15] / 1e3);
        }
    }

    private static double moved(int[] before, String[] beforeNames, int[] after, String[] afterNames) {
        SplittableRandom random = new SplittableRandom(7);
        int moved = 0;
        for (int i = 0; i < FLOWS; i++) {
            int e = MaglevTable.entryIndex(random.nextInt(), before.length);
            if (!beforeNames[before[e]].equals(afterNames[after[e]])) {
                moved++;
            }
        }
        return (double) moved / FLOWS;
    }
}
