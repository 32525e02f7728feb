package io.isthmus.benchmarks.conntrack;

import io.isthmus.conntrack.Addresses;
import io.isthmus.conntrack.ConnectionSpec;
import io.isthmus.conntrack.ConntrackCursor;
import io.isthmus.conntrack.ConntrackLookupBatch;
import io.isthmus.conntrack.ConntrackState;
import io.isthmus.conntrack.ConntrackTable;
import io.isthmus.conntrack.ConntrackTimeouts;
import io.isthmus.conntrack.ConntrackDescriptor;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * One build's side of {@link ConntrackJarAb}: its own in-memory table filled with the
 * connections of {@link Flows} (the side by side's), a worker's cursor (AUTO prefetch) and a
 * batch of 64, and a round of batched lookups timed in thread CPU. Loaded once per build, so it
 * uses only the conntrack API (the keys are {@link Flows}'s, written out here, so that every
 * build looks up the same keys whatever its own benchmarks hold).
 */
public final class ConntrackAbRound {

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private final ConntrackCursor cursor;
    private final ConntrackLookupBatch batch = new ConntrackLookupBatch(64);
    private final int[] draws;
    private final boolean miss;
    private int position;
    /** Keeps the hits alive for the JIT. */
    public long sink;

    public ConntrackAbRound(int size, boolean miss) {
        final ConntrackTable table = ConntrackTable.createInMemory(size + Math.max(4096, size / 16),
            ConntrackTimeouts.linuxDefaults(), null);
        cursor = table.cursor(0);
        final ConnectionSpec spec = cursor.spec();
        for (int i = 0; i < size; i++) {
            spec.tuple(0, clientLo(i), 0, vipLo(i), 1024 + i % 60000, 80, 6, 0)
                .dnat(0, Addresses.ipv4Lo(0x0AF4_0001 | (i & 255) << 8), 8080).state(ConntrackState.TCP_ESTABLISHED)
                .decisions(i & 0xFFFFF, 1, i & 0xFFF);
            if (cursor.insert(spec, 1) < 0) {
                throw new IllegalStateException("fill failed at " + i);
            }
        }
        final java.util.SplittableRandom random = new java.util.SplittableRandom(42);
        draws = new int[1 << 22];
        for (int i = 0; i < draws.length; i++) {
            draws[i] = random.nextInt(size);
        }
        this.miss = miss;
    }

    private static long clientLo(int i) {
        return Addresses.ipv4Lo(0x0A00_0000 + (i & 0x00FF_FFFF) + ((i >>> 24) << 28));
    }

    private static long vipLo(int i) {
        return Addresses.ipv4Lo(0x0A60_0000 | (i & 63));
    }

    /** Looks up {@code keys} random connections in batches of 64; thread CPU ns per key. */
    public double nsPerKey(int keys) {
        final int mask = draws.length - 1;
        int p = position;
        long hits = 0;
        final long start = THREADS.getCurrentThreadCpuTime();
        for (int n = 0; n < keys; n += 64) {
            for (int k = 0; k < 64; k++) {
                final int i = draws[p++ & mask];
                batch.key(k, 0, clientLo(i), 0, miss ? vipLo(i) ^ 0x0001_0000L : vipLo(i),
                    ConntrackDescriptor.ports(1024 + i % 60000, 80), 6, 0);
            }
            hits += cursor.lookupBatch(batch, 64);
        }
        final double ns = (THREADS.getCurrentThreadCpuTime() - start) / (double) keys;
        position = p;
        sink += hits;
        return ns;
    }
}
