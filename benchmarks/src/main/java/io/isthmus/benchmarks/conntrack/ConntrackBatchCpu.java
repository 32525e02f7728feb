package io.isthmus.benchmarks.conntrack;

import io.isthmus.conntrack.ConntrackCursor;
import io.isthmus.conntrack.ConntrackLookupBatch;
import io.isthmus.conntrack.ConntrackTable;
import io.isthmus.conntrack.ConntrackTimeouts;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * {@code ConntrackCursor.lookupBatch} alone, in thread CPU time: the batches are filled once
 * before the clock starts (the side by side fills every batch's keys inside its loop), so this
 * is the table's own cost per key. Same connections as {@link Flows}. At 1K everything is in
 * cache (the CPU work per key); at 1M the batches cover 262,144 random keys, far more than the
 * caches hold. Run it with two jars one after the other to compare two versions of the table.
 *
 * <p>{@code java <flags> -cp benchmarks.jar io.isthmus.benchmarks.conntrack.ConntrackBatchCpu SIZE [ROUNDS] [hit|miss] [--both] [--always]}
 *
 * <p>{@code --both} (session 7): every round runs the batches twice, with the real prefetch and
 * with touch loops ({@code table.cursor(1, PrefetchMode.NEVER)}), alternating which goes first, and prints both.
 */
public final class ConntrackBatchCpu {

    private static final int BATCH = 64;

    private ConntrackBatchCpu() {
    }

    public static void main(String[] args) {
        final int size = Integer.parseInt(args[0]);
        final int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        final boolean miss = args.length > 2 && args[2].equals("miss");
        final boolean both = java.util.Arrays.asList(args).contains("--both");
        final ConntrackTable table = ConntrackTable.createInMemory(size + IsthmusConntrackBenchmark.slack(size),
            ConntrackTimeouts.linuxDefaults(), null);
        // --always: the first cursor prefetches at every size (default: AUTO, as a worker's cursor).
        final ConntrackCursor cursor = table.cursor(0, Arrays.asList(args).contains("--always")
            ? io.isthmus.conntrack.ConntrackCursor.PrefetchMode.ALWAYS : io.isthmus.conntrack.ConntrackCursor.PrefetchMode.AUTO);
        for (int i = 0; i < size; i++) {
            if (cursor.insert(IsthmusConntrackBenchmark.spec(cursor.spec(), i), 1) < 0) {
                throw new IllegalStateException("fill failed at " + i);
            }
        }
        final int batches = size >= 100_000 ? 4096 : 256;
        final int repeats = size >= 100_000 ? 2 : 32;
        final ConntrackLookupBatch[] keys = new ConntrackLookupBatch[batches];
        final SplittableRandom random = new SplittableRandom(42);
        for (int b = 0; b < batches; b++) {
            keys[b] = new ConntrackLookupBatch(BATCH);
            for (int k = 0; k < BATCH; k++) {
                final int i = random.nextInt(size);
                keys[b].key(k, 0, Flows.clientLo(i), 0, miss ? Flows.missVipLo(i) : Flows.vipLo(i), Flows.origPorts(i), Flows.TCP, 0);
            }
        }
        final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        final ConntrackCursor[] cursors = both ? new ConntrackCursor[] {cursor, table.cursor(1, io.isthmus.conntrack.ConntrackCursor.PrefetchMode.NEVER)} : new ConntrackCursor[] {cursor};
        final double[][] nsPerKey = new double[cursors.length][rounds];
        long hits = 0;
        for (int round = -3; round < rounds; round++) {
            for (int n = 0; n < cursors.length; n++) {
                final int c = (n + Math.max(round, 0)) % cursors.length; // alternate which goes first
                final long start = threads.getCurrentThreadCpuTime();
                for (int r = 0; r < repeats; r++) {
                    for (int b = 0; b < batches; b++) {
                        hits += cursors[c].lookupBatch(keys[b], BATCH);
                    }
                }
                final double ns = (threads.getCurrentThreadCpuTime() - start) / ((double) repeats * batches * BATCH);
                if (round >= 0) {
                    nsPerKey[c][round] = ns;
                }
            }
        }
        for (int c = 0; c < cursors.length; c++) {
            Arrays.sort(nsPerKey[c]);
            System.out.printf("size %d, batch %d %s, %s: min %.1f median %.1f thread CPU ns per key (hits %d)%n", size, BATCH,
                miss ? "miss" : "hit", cursors[c].prefetches() ? "prefetch" : "touch", nsPerKey[c][0], nsPerKey[c][rounds / 2], hits);
        }
    }
}
