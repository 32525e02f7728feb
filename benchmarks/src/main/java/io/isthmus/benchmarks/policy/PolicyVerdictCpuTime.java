package io.isthmus.benchmarks.policy;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.function.BooleanSupplier;

/**
 * Not JMH: the {@link PolicyVerdictBenchmark} operations timed by this thread's CPU time, so that a
 * loaded machine (other threads taking the cores) moves the figure less than wall-clock JMH does.
 * Prints the minimum and median ns per verdict over {@code rounds} rounds of {@code verdicts}
 * verdicts, after the same number of warm-up rounds.
 * {@code java -cp benchmarks.jar io.isthmus.benchmarks.policy.PolicyVerdictCpuTime [rounds] [verdicts]}
 */
public final class PolicyVerdictCpuTime {
    private PolicyVerdictCpuTime() {
    }

    public static void main(String[] args) {
        final int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 30;
        final int verdicts = args.length > 1 ? Integer.parseInt(args[1]) : 2_000_000;
        final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        for (int policies : new int[] {10, 1000}) {
            final PolicyVerdictBenchmark benchmark = new PolicyVerdictBenchmark();
            benchmark.policies = policies;
            benchmark.setUp();
            report(threads, "isolatedByRef", policies, rounds, verdicts, benchmark::isolatedByRef);
            report(threads, "byRef", policies, rounds, verdicts, benchmark::byRef);
            report(threads, "byAddress", policies, rounds, verdicts, benchmark::byAddress);
        }
    }

    private static void report(ThreadMXBean threads, String name, int policies, int rounds, int verdicts, BooleanSupplier verdict) {
        final double[] nsPerVerdict = new double[rounds];
        int allowed = 0;
        for (int round = -rounds; round < rounds; round++) { // negative rounds warm up
            final long startNs = threads.getCurrentThreadCpuTime();
            for (int i = 0; i < verdicts; i++) {
                allowed += verdict.getAsBoolean() ? 1 : 0;
            }
            final long cpuNs = threads.getCurrentThreadCpuTime() - startNs;
            if (round >= 0) {
                nsPerVerdict[round] = (double) cpuNs / verdicts;
            }
        }
        Arrays.sort(nsPerVerdict);
        System.out.printf("%-14s policies=%-5d min %6.2f  median %6.2f ns/verdict (thread CPU; %d allowed)%n",
                name, policies, nsPerVerdict[0], nsPerVerdict[rounds / 2], allowed);
    }
}
