package io.isthmus.benchmarks.lb;

import io.isthmus.lb.compile.NodeContext;
import io.isthmus.lb.compile.ServiceCompiler;
import io.isthmus.lb.ip.IpAddress;
import io.isthmus.lb.model.AddressType;
import io.isthmus.lb.model.Endpoint;
import io.isthmus.lb.model.EndpointConditions;
import io.isthmus.lb.model.EndpointPort;
import io.isthmus.lb.model.EndpointSlice;
import io.isthmus.lb.model.Protocol;
import io.isthmus.lb.model.Service;
import io.isthmus.lb.table.ServiceDecision;
import io.isthmus.lb.table.ServiceTable;
import io.isthmus.lb.table.TrafficSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The per-new-flow question of the services stage: frontend lookup plus Maglev choice, for a
 * batch of 64 flows (the fast path's batch size), with 10, 1,000 or 10,000 compiled Services.
 *
 * <p>Each Service has a ClusterIP on port 80/TCP and 3 ready endpoints, compiled by the real
 * {@link ServiceCompiler}. {@code flows} distinct new flows (random Service, client and flow hash)
 * are replayed in a cycle: 4,096 flows touch a few thousand Services (a working set that fits in
 * L2 at 10,000 Services); 262,144 flows touch every Service, so most lookups at 10,000 Services
 * miss the caches. Run with {@code -prof gc} to see that decisions allocate nothing.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ServiceDecisionBenchmark {

    private static final int BATCH = 64;

    @Param({"10", "1000", "10000"})
    public int services;

    @Param({"4096", "262144"})
    public int flows;

    private ServiceTable table;
    private long[] dstLo;
    private long[] srcLo;
    private int[] flowHash;
    private final ServiceDecision decision = new ServiceDecision();
    private int next;

    @Setup
    public void compile() {
        table = compileServices(services);
        SplittableRandom random = new SplittableRandom(2026);
        dstLo = new long[flows];
        srcLo = new long[flows];
        flowHash = new int[flows];
        for (int i = 0; i < flows; i++) {
            dstLo[i] = IpAddress.ipv4Lo(0x0a60_0000 + random.nextInt(services));
            srcLo[i] = IpAddress.ipv4Lo(0x0af5_0000 + random.nextInt(1 << 16));
            flowHash[i] = random.nextInt();
        }
    }

    /** {@code services} ClusterIP Services 10.96.x.y:80/TCP with 3 ready endpoints each, compiled. */
    static ServiceTable compileServices(int services) {
        List<Service> svcs = new ArrayList<>(services);
        List<EndpointSlice> slices = new ArrayList<>(services);
        for (int s = 0; s < services; s++) {
            String name = "svc-" + s;
            svcs.add(Service.builder("bench", name).clusterIPs(IpAddress.ofIpv4(0x0a60_0000 + s).toString()).port("http", Protocol.TCP, 80).build());
            List<Endpoint> endpoints = new ArrayList<>();
            for (int e = 0; e < 3; e++) {
                endpoints.add(Endpoint.of(IpAddress.ofIpv4(0x0af4_0000 + s * 4 + e).toString(), EndpointConditions.READY, "node-" + e));
            }
            slices.add(new EndpointSlice("bench", name + "-1", name, AddressType.IPV4, endpoints,
                    List.of(EndpointPort.of("http", Protocol.TCP, 8080)), Map.of()));
        }
        return new ServiceCompiler(NodeContext.of("node-0", "192.168.1.10")).compile(svcs, slices).table();
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int decideNewFlows() {
        int mask = flows - 1;
        int acc = 0;
        for (int k = 0; k < BATCH; k++) {
            int i = next++ & mask;
            acc += table.decideNewFlow(0, dstLo[i], 80, 6, 0, srcLo[i], flowHash[i], TrafficSource.CLUSTER_POD, 0, null, decision).id();
            acc += decision.backendPort();
        }
        return acc;
    }

    private final int[] frontends = new int[BATCH];

    /**
     * The same decisions made VPP-style in two passes over the batch: look up every flow's
     * frontend, then decide every flow, so that the 64 bucket reads are independent of each other
     * and can be in flight together.
     */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int decideNewFlowsInTwoPasses() {
        int mask = flows - 1;
        int start = next;
        next += BATCH;
        for (int k = 0; k < BATCH; k++) {
            frontends[k] = table.findFrontend(0, dstLo[(start + k) & mask], 80, 6);
        }
        int acc = 0;
        for (int k = 0; k < BATCH; k++) {
            int i = (start + k) & mask;
            acc += table.decide(frontends[k], 0, srcLo[i], flowHash[i], TrafficSource.CLUSTER_POD, 0, null, decision).id();
            acc += decision.backendPort();
        }
        return acc;
    }

    private final int[] hints = new int[BATCH];

    /**
     * As the ServiceDnatStage decides a batch: four passes, each a set of independent loads —
     * every frontend bucket, every Maglev entry ({@link ServiceTable#backendHint}), every backend
     * record ({@link ServiceTable#touchBackend}), then every decision from lines already loaded.
     */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int decideNewFlowsInFourPasses() {
        int mask = flows - 1;
        int start = next;
        next += BATCH;
        for (int k = 0; k < BATCH; k++) {
            frontends[k] = table.findFrontend(0, dstLo[(start + k) & mask], 80, 6);
        }
        for (int k = 0; k < BATCH; k++) {
            hints[k] = table.backendHint(frontends[k], flowHash[(start + k) & mask]);
        }
        int acc = 0;
        for (int k = 0; k < BATCH; k++) {
            acc += table.touchBackend(hints[k]);
        }
        for (int k = 0; k < BATCH; k++) {
            int i = (start + k) & mask;
            acc += table.decide(frontends[k], 0, srcLo[i], flowHash[i], TrafficSource.CLUSTER_POD, 0, null, decision).id();
            acc += decision.backendPort();
        }
        return acc;
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int lookupFrontendOnly() {
        int mask = flows - 1;
        int acc = 0;
        for (int k = 0; k < BATCH; k++) {
            int i = next++ & mask;
            acc += table.findFrontend(0, dstLo[i], 80, 6);
        }
        return acc;
    }
}
