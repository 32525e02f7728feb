package io.isthmus.benchmarks.policy;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.function.Supplier;

/**
 * Not JMH: the incremental {@link PolicyCompileBenchmark} operations (1,000 policies) timed by this
 * thread's CPU time, for comparisons on a loaded machine. Prints the minimum and median ms per
 * operation over {@code rounds} rounds, after as many warm-up rounds.
 * {@code java -cp benchmarks.jar io.isthmus.benchmarks.policy.PolicyCompileCpuTime [rounds]}
 */
public final class PolicyCompileCpuTime {
    private PolicyCompileCpuTime() {
    }

    public static void main(String[] args) {
        final int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 100;
        final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        final PolicyCompileBenchmark benchmark = new PolicyCompileBenchmark();
        benchmark.policies = 1000;
        benchmark.setUp();
        report(threads, "policyChange", rounds, benchmark::policyChange);
        report(threads, "podLabelChange", rounds, benchmark::podLabelChange);
        report(threads, "namespaceLabelChange", rounds, benchmark::namespaceLabelChange);
    }

    private static void report(ThreadMXBean threads, String name, int rounds, Supplier<?> operation) {
        final double[] ms = new double[rounds];
        for (int round = -rounds; round < rounds; round++) { // negative rounds warm up
            final long startNs = threads.getCurrentThreadCpuTime();
            operation.get();
            if (round >= 0) {
                ms[round] = (threads.getCurrentThreadCpuTime() - startNs) / 1e6;
            }
        }
        Arrays.sort(ms);
        System.out.printf("%-22s min %7.3f  median %7.3f ms (thread CPU, %d rounds)%n", name, ms[0], ms[rounds / 2], rounds);
    }
}
