package io.isthmus.benchmarks.policy;

import io.isthmus.policy.compile.PolicySnapshot;
import io.isthmus.policy.model.IpAddress;
import io.isthmus.policy.model.Protocol;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * One verdict for a new connection, as the fast path will ask it: {@code byAddress} resolves both
 * addresses (longest-prefix match) and checks both sides' tables; {@code byRef} starts from
 * resolved references (the tables alone). 10,000 pods; 10 or 1,000 policies. The connections are
 * a fixed random mix of pod-to-pod (some allowed) and external-to-pod, cycled through 4,096 slots
 * so that the tables, not one cached entry, are measured. With 10 policies most destinations are
 * not isolated (no table look-up is needed), so {@code isolatedByRef} picks only destinations
 * isolated for ingress: every verdict there reads a table, whatever the number of policies.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class PolicyVerdictBenchmark {
    private static final int SLOTS = 4096;

    @Param({"10", "1000"})
    public int policies;

    private PolicySnapshot snapshot;
    private final int[] sources = new int[SLOTS];
    private final int[] destinations = new int[SLOTS];
    private final int[] sourceRefs = new int[SLOTS];
    private final int[] destinationRefs = new int[SLOTS];
    private final int[] ports = new int[SLOTS];
    private final int[] isolatedSourceRefs = new int[SLOTS];
    private final int[] isolatedDestinationRefs = new int[SLOTS];
    private int next;

    @Setup
    public void setUp() {
        final PolicyWorkload workload = new PolicyWorkload(policies);
        snapshot = workload.compiler().snapshot();
        final Random random = new Random(1);
        for (int i = 0; i < SLOTS; i++) {
            final int from = random.nextInt(workload.pods.size());
            final int to = random.nextInt(workload.pods.size());
            final boolean external = random.nextInt(8) == 0;
            sources[i] = external ? (172 << 24) | ((16 + random.nextInt(16)) << 16) | random.nextInt(1 << 16)
                    : workload.pods.get(from).addresses().getFirst().ipv4Bits();
            destinations[i] = workload.pods.get(to).addresses().getFirst().ipv4Bits();
            ports[i] = new int[] {8080, 9090, 443, 8443, 5432}[random.nextInt(5)];
            sourceRefs[i] = snapshot.refOfIpv4(sources[i]);
            destinationRefs[i] = snapshot.refOfIpv4(destinations[i]);
        }
        final java.util.List<Integer> isolated = new java.util.ArrayList<>();
        for (int p = 0; p < workload.pods.size(); p++) {
            final int ref = snapshot.refOfIpv4(workload.pods.get(p).addresses().getFirst().ipv4Bits());
            if (snapshot.isolated(PolicySnapshot.identityOf(ref), io.isthmus.policy.model.Direction.INGRESS)) {
                isolated.add(ref);
            }
        }
        for (int i = 0; i < SLOTS; i++) {
            isolatedSourceRefs[i] = sourceRefs[(i * 7) & (SLOTS - 1)];
            isolatedDestinationRefs[i] = isolated.get(random.nextInt(isolated.size()));
        }
        int allowed = 0;
        for (int i = 0; i < SLOTS; i++) {
            allowed += snapshot.allows(sourceRefs[i], destinationRefs[i], Protocol.TCP.index(), ports[i]) ? 1 : 0;
        }
        if (allowed == 0 || allowed == SLOTS) {
            throw new IllegalStateException("the workload should mix verdicts, got " + allowed + "/" + SLOTS + " allowed");
        }
        IpAddress.ofIpv4(0); // load the class outside the measurement
    }

    @Benchmark
    public boolean byAddress() {
        final int i = next++ & (SLOTS - 1);
        return snapshot.allows(snapshot.refOfIpv4(sources[i]), snapshot.refOfIpv4(destinations[i]), Protocol.TCP.index(), ports[i]);
    }

    @Benchmark
    public boolean isolatedByRef() {
        final int i = next++ & (SLOTS - 1);
        return snapshot.allows(isolatedSourceRefs[i], isolatedDestinationRefs[i], Protocol.TCP.index(), ports[i]);
    }

    @Benchmark
    public boolean byRef() {
        final int i = next++ & (SLOTS - 1);
        return snapshot.allows(sourceRefs[i], destinationRefs[i], Protocol.TCP.index(), ports[i]);
    }
}
