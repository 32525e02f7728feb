package io.isthmus.benchmarks.lb;

import io.isthmus.lb.ip.IpAddress;

/**
 * New flows for the decision benchmarks, drawn fresh for every batch so that nothing is replayed:
 * each flow goes to a Service chosen uniformly among all of them (its ClusterIP
 * {@code 10.96.0.0 + index}, as {@link ServiceDecisionBenchmark#compileServices} assigns them),
 * from a random client, with a random flow hash. With 10,000 Services every frontend bucket, every
 * Maglev entry and every backend record is in the working set, as it would be for real traffic.
 *
 * <p>The generator is splitmix64: a few multiplies per flow, the same cost whatever the number of
 * Services ({@code ServiceDecisionBenchmark.generateOnly} measures it, to be subtracted).
 *
 * <p>Thread-safety: none; one per benchmark thread.
 */
final class RandomFlows {

    static final int BATCH = 64;
    static final int FIRST_CLUSTER_IP = 0x0a60_0000;
    private static final int FIRST_CLIENT = 0x0af5_0000;

    final long[] dstLo = new long[BATCH];
    final long[] srcLo = new long[BATCH];
    final int[] flowHash = new int[BATCH];
    private final int services;
    private long state;

    RandomFlows(int services, long seed) {
        this.services = services;
        this.state = seed;
    }

    /** Fills the arrays with {@link #BATCH} new flows. */
    void next() {
        final long n = services;
        long s = state;
        for (int k = 0; k < BATCH; k++) {
            s += 0x9e37_79b9_7f4a_7c15L;
            long z = mix(s);
            int service = (int) (((z >>> 32) * n) >>> 32);
            dstLo[k] = IpAddress.ipv4Lo(FIRST_CLUSTER_IP + service);
            srcLo[k] = IpAddress.ipv4Lo(FIRST_CLIENT + ((int) z & 0xffff));
            flowHash[k] = (int) mix(z);
        }
        state = s;
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58_476d_1ce4_e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d0_49bb_1331_11ebL;
        return z ^ (z >>> 31);
    }
}
