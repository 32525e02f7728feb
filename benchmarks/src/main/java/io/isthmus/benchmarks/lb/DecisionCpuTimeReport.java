package io.isthmus.benchmarks.lb;

import io.isthmus.lb.ip.IpAddress;
import io.isthmus.lb.table.ServiceDecision;
import io.isthmus.lb.table.ServiceTable;
import io.isthmus.lb.table.TrafficSource;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * A side-by-side companion to {@link ServiceDecisionBenchmark} for a machine shared with other
 * work: it measures <em>thread CPU time</em> (time the thread was descheduled does not count) of
 * rounds of 262,144 decisions, interleaving 10, 1,000 and 10,000 Services round after round, and
 * reports the minimum and median per decision and the ratio to 10 Services. Same tables, same
 * flows (4,096 distinct, cycled) as the JMH benchmark.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar io.isthmus.benchmarks.lb.DecisionCpuTimeReport [flows]</pre>
 */
public final class DecisionCpuTimeReport {

    private static final int DECISIONS_PER_ROUND = 1 << 18;
    private static final int ROUNDS = 40;

    private DecisionCpuTimeReport() {
    }

    public static void main(String[] args) {
        int flows = args.length > 0 ? Integer.parseInt(args[0]) : 4096;
        int[] counts = {10, 1_000, 10_000};
        ServiceTable[] tables = new ServiceTable[counts.length];
        long[][] dst = new long[counts.length][flows];
        long[] src = new long[flows];
        int[] hash = new int[flows];
        SplittableRandom random = new SplittableRandom(2026);
        for (int i = 0; i < flows; i++) {
            src[i] = IpAddress.ipv4Lo(0x0af5_0000 + random.nextInt(1 << 16));
            hash[i] = random.nextInt();
        }
        for (int c = 0; c < counts.length; c++) {
            tables[c] = ServiceDecisionBenchmark.compileServices(counts[c]);
            for (int i = 0; i < flows; i++) {
                dst[c][i] = IpAddress.ipv4Lo(0x0a60_0000 + random.nextInt(counts[c]));
            }
        }
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        ServiceDecision out = new ServiceDecision();
        long[][] nsPerRound = new long[counts.length][ROUNDS];
        long[][] nsPerRoundTwoPass = new long[counts.length][ROUNDS];
        long[][] nsPerRoundFourPass = new long[counts.length][ROUNDS];
        long sink = 0;
        for (int warm = 0; warm < 10; warm++) {
            for (int c = 0; c < counts.length; c++) {
                sink += round(tables[c], dst[c], src, hash, flows, out);
                sink += roundTwoPasses(tables[c], dst[c], src, hash, flows, out);
                sink += roundFourPasses(tables[c], dst[c], src, hash, flows, out);
            }
        }
        for (int r = 0; r < ROUNDS; r++) {
            for (int c = 0; c < counts.length; c++) {
                long t0 = threads.getCurrentThreadCpuTime();
                sink += round(tables[c], dst[c], src, hash, flows, out);
                long t1 = threads.getCurrentThreadCpuTime();
                sink += roundTwoPasses(tables[c], dst[c], src, hash, flows, out);
                nsPerRound[c][r] = t1 - t0;
                long t2 = threads.getCurrentThreadCpuTime();
                sink += roundFourPasses(tables[c], dst[c], src, hash, flows, out);
                nsPerRoundTwoPass[c][r] = t2 - t1;
                nsPerRoundFourPass[c][r] = threads.getCurrentThreadCpuTime() - t2;
            }
        }
        System.out.println("flows " + flows + ", " + ROUNDS + " rounds of " + DECISIONS_PER_ROUND + " decisions, thread CPU time (sink " + (sink & 1) + ")");
        print("one flow at a time", counts, nsPerRound);
        print("two passes per batch of 64 (all lookups, then all decisions)", counts, nsPerRoundTwoPass);
        print("four passes per batch of 64 (lookups, Maglev entries, backend records, decisions: the ServiceDnatStage)", counts, nsPerRoundFourPass);
    }

    private static void print(String title, int[] counts, long[][] nsPerRound) {
        System.out.println(title);
        System.out.println(" services | min ns/decision | median ns/decision | median / median(10)");
        double base = 0;
        for (int c = 0; c < counts.length; c++) {
            long[] sorted = nsPerRound[c].clone();
            Arrays.sort(sorted);
            double min = (double) sorted[0] / DECISIONS_PER_ROUND;
            double median = (double) sorted[ROUNDS / 2] / DECISIONS_PER_ROUND;
            if (c == 0) {
                base = median;
            }
            System.out.printf("%9d | %15.1f | %18.1f | %6.2f%n", counts[c], min, median, median / base);
        }
    }

    private static long roundTwoPasses(ServiceTable table, long[] dst, long[] src, int[] hash, int flows, ServiceDecision out) {
        long acc = 0;
        int mask = flows - 1;
        int[] frontends = new int[64];
        for (int start = 0; start < DECISIONS_PER_ROUND; start += 64) {
            for (int k = 0; k < 64; k++) {
                frontends[k] = table.findFrontend(0, dst[(start + k) & mask], 80, 6);
            }
            for (int k = 0; k < 64; k++) {
                int i = (start + k) & mask;
                acc += table.decide(frontends[k], 0, src[i], hash[i], TrafficSource.CLUSTER_POD, 0, null, out).id();
                acc += out.backendPort();
            }
        }
        return acc;
    }

    private static long roundFourPasses(ServiceTable table, long[] dst, long[] src, int[] hash, int flows, ServiceDecision out) {
        long acc = 0;
        int mask = flows - 1;
        int[] frontends = new int[64];
        int[] hints = new int[64];
        for (int start = 0; start < DECISIONS_PER_ROUND; start += 64) {
            for (int k = 0; k < 64; k++) {
                frontends[k] = table.findFrontend(0, dst[(start + k) & mask], 80, 6);
            }
            for (int k = 0; k < 64; k++) {
                hints[k] = table.backendHint(frontends[k], hash[(start + k) & mask]);
            }
            for (int k = 0; k < 64; k++) {
                acc += table.touchBackend(hints[k]);
            }
            for (int k = 0; k < 64; k++) {
                int i = (start + k) & mask;
                acc += table.decide(frontends[k], 0, src[i], hash[i], TrafficSource.CLUSTER_POD, 0, null, out).id();
                acc += out.backendPort();
            }
        }
        return acc;
    }

    private static long round(ServiceTable table, long[] dst, long[] src, int[] hash, int flows, ServiceDecision out) {
        long acc = 0;
        int mask = flows - 1;
        for (int k = 0; k < DECISIONS_PER_ROUND; k++) {
            int i = k & mask;
            acc += table.decideNewFlow(0, dst[i], 80, 6, 0, src[i], hash[i], TrafficSource.CLUSTER_POD, 0, null, out).id();
            acc += out.backendPort();
        }
        return acc;
    }
}
