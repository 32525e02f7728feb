package io.isthmus.benchmarks.conntrack;

import io.isthmus.conntrack.memory.Prefetcher;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;

/**
 * What one call of the emitted prefetch ({@link Prefetcher#prefetch}, a critical downcall)
 * costs, in thread CPU time: with 0 addresses (the call alone) and with 16 and 64 addresses
 * of lines already in cache (the loop's own cost), against an empty Java loop of the same count.
 *
 * <p>{@code java --enable-native-access=ALL-UNNAMED -cp benchmarks.jar io.isthmus.benchmarks.conntrack.PrefetchCallCost [ROUNDS]}
 */
public final class PrefetchCallCost {

    private PrefetchCallCost() {
    }

    public static void main(String[] args) {
        if (!Prefetcher.ENABLED) {
            System.out.println("prefetch off: " + Prefetcher.emitted().reason());
            return;
        }
        final int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        final int calls = 1 << 20;
        final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        try (Arena arena = Arena.ofConfined()) {
            final MemorySegment data = arena.allocate(64 * 64, 64);
            final MemorySegment list = arena.allocate(64 * 8, 64);
            for (int i = 0; i < 64; i++) {
                list.set(ValueLayout.JAVA_LONG, 8L * i, data.address() + 64L * i);
            }
            final long addresses = list.address();
            for (int count : new int[] {0, 16, 64}) {
                final double[] ns = new double[rounds];
                for (int round = -3; round < rounds; round++) {
                    final long start = threads.getCurrentThreadCpuTime();
                    for (int c = 0; c < calls; c++) {
                        Prefetcher.prefetch(addresses, count);
                    }
                    if (round >= 0) {
                        ns[round] = (threads.getCurrentThreadCpuTime() - start) / (double) calls;
                    }
                }
                Arrays.sort(ns);
                System.out.printf("prefetch call, %2d cached addresses: min %.1f median %.1f thread CPU ns per call%n", count, ns[0],
                    ns[rounds / 2]);
            }
        }
    }
}
