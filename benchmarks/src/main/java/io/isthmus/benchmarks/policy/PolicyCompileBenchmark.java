package io.isthmus.benchmarks.policy;

import io.isthmus.policy.compile.PolicyCompiler;
import io.isthmus.policy.compile.PolicySnapshot;
import io.isthmus.policy.model.PodInfo;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.util.concurrent.TimeUnit;

/**
 * Compile times over 10,000 pods: {@code fullCompile} feeds every namespace, pod and policy to a
 * new compiler and builds the first snapshot; {@code podLabelChange} changes one pod's labels (it
 * moves to a new identity of its own and back, alternately) and builds the next snapshot;
 * {@code policyChange} replaces one policy by a variant and back; {@code namespaceLabelChange}
 * changes the labels of one namespace (100 pods, 5 workloads, whose identities all change).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class PolicyCompileBenchmark {
    @Param({"1000"})
    public int policies;

    private PolicyWorkload workload;
    private PolicyCompiler incremental;
    private PodInfo original;
    private PodInfo relabelled;
    private boolean flip;
    private io.isthmus.policy.model.Policy policy;
    private io.isthmus.policy.model.Policy policyVariant;
    private io.isthmus.policy.model.NamespaceInfo namespace;
    private io.isthmus.policy.model.NamespaceInfo namespaceVariant;

    @Setup
    public void setUp() {
        workload = new PolicyWorkload(policies);
        incremental = workload.compiler();
        incremental.snapshot();
        original = workload.pods.get(4321);
        relabelled = original.withLabels(PolicyWorkload.podLabels(4321 / PolicyWorkload.PODS_PER_APP, "canary"));
        policy = workload.policies.get(7);
        policyVariant = new io.isthmus.policy.model.Policy(policy.namespace(), policy.name(), policy.podSelector(), policy.types(),
                java.util.List.of(io.isthmus.policy.model.PolicyRule.ALLOW_ALL), policy.egress());
        namespace = workload.namespaces.get(42);
        namespaceVariant = io.isthmus.policy.model.NamespaceInfo.of(namespace.name(), java.util.Map.of("team", "t99", "env", "prod"));
    }

    @Benchmark
    public PolicySnapshot fullCompile() {
        return workload.compiler().snapshot();
    }

    @Benchmark
    public PolicySnapshot policyChange() {
        flip = !flip;
        incremental.putPolicy(flip ? policyVariant : policy);
        return incremental.snapshot();
    }

    @Benchmark
    public PolicySnapshot namespaceLabelChange() {
        flip = !flip;
        incremental.putNamespace(flip ? namespaceVariant : namespace);
        return incremental.snapshot();
    }

    @Benchmark
    public PolicySnapshot podLabelChange() {
        flip = !flip;
        incremental.putPod(flip ? relabelled : original);
        return incremental.snapshot();
    }
}
