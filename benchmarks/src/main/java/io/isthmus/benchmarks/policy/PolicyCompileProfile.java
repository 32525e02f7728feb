package io.isthmus.benchmarks.policy;

import io.isthmus.policy.compile.PolicyCompiler;
import io.isthmus.policy.model.PodInfo;

/**
 * Not a benchmark: a plain loop over the compile workloads, to run under a profiler (JFR) when the
 * JMH figures need explaining. {@code java -cp benchmarks.jar io.isthmus.benchmarks.policy.PolicyCompileProfile [full|label] [rounds]}
 */
public final class PolicyCompileProfile {
    private PolicyCompileProfile() {
    }

    public static void main(String[] args) {
        final String what = args.length > 0 ? args[0] : "full";
        final int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        final PolicyWorkload workload = new PolicyWorkload(1000);
        final PolicyCompiler incremental = workload.compiler();
        incremental.snapshot();
        final PodInfo original = workload.pods.get(4321);
        final PodInfo relabelled = original.withLabels(PolicyWorkload.podLabels(4321 / PolicyWorkload.PODS_PER_APP, "canary"));
        for (int round = 0; round < rounds; round++) {
            final long start = System.nanoTime();
            if (what.equals("full")) {
                workload.compiler().snapshot();
            } else {
                incremental.putPod(round % 2 == 0 ? relabelled : original);
                incremental.snapshot();
            }
            System.out.printf("%s round %d: %.1f ms, %d tables, %d identities%n", what, round, (System.nanoTime() - start) / 1e6,
                    incremental.tablesCompiledLastSnapshot(), incremental.identityCount());
        }
    }
}
