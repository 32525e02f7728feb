package io.isthmus.benchmarks.lb;

import static io.isthmus.benchmarks.lb.RandomFlows.BATCH;

import io.isthmus.lb.compile.NodeContext;
import io.isthmus.lb.compile.ServiceCompiler;
import io.isthmus.lb.ip.IpAddress;
import io.isthmus.lb.maglev.MaglevSizing;
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
 * {@link ServiceCompiler}. Every batch is 64 fresh flows ({@link RandomFlows}): a Service chosen
 * uniformly among all of them, a random client and a random flow hash, so at 10,000 Services the
 * whole table is the working set (nothing is replayed from a small pool that would stay cached).
 * Every benchmark includes drawing the flows; {@link #generateOnly} is that cost alone.
 * Run with {@code -prof gc} to see that decisions allocate nothing.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ServiceDecisionBenchmark {

    @Param({"10", "1000", "10000"})
    public int services;

    private ServiceTable table;
    private RandomFlows flows;
    private final ServiceDecision decision = new ServiceDecision();
    private final int[] frontends = new int[BATCH];
    private final int[] hints = new int[BATCH];

    @Setup
    public void compile() {
        table = compileServices(services);
        flows = new RandomFlows(services, 2026);
    }

    /**
     * {@code services} ClusterIP Services 10.96.x.y:80/TCP with 3 ready endpoints each, compiled:
     * every frontend gets a compact bucket (one line holds its decision).
     */
    static ServiceTable compileServices(int services) {
        return compileServices(services, 3);
    }

    /** {@code services} ClusterIP Services 10.96.x.y:80/TCP with {@code endpointsPerService} (at most 16) ready endpoints each, compiled. */
    static ServiceTable compileServices(int services, int endpointsPerService) {
        return compileServices(services, endpointsPerService, MaglevSizing.ADAPTIVE);
    }

    /** The same, with the given Maglev sizing (a sizing without paired sets keeps 4-16 backends in the three-line layout). */
    static ServiceTable compileServices(int services, int endpointsPerService, MaglevSizing sizing) {
        List<Service> svcs = new ArrayList<>(services);
        List<EndpointSlice> slices = new ArrayList<>(services);
        for (int s = 0; s < services; s++) {
            String name = "svc-" + s;
            svcs.add(Service.builder("bench", name).clusterIPs(IpAddress.ofIpv4(RandomFlows.FIRST_CLUSTER_IP + s).toString())
                    .port("http", Protocol.TCP, 80).build());
            List<Endpoint> endpoints = new ArrayList<>();
            for (int e = 0; e < endpointsPerService; e++) {
                endpoints.add(Endpoint.of(IpAddress.ofIpv4(0x0a00_0000 + s * 16 + e).toString(), EndpointConditions.READY, "node-" + e));
            }
            slices.add(new EndpointSlice("bench", name + "-1", name, AddressType.IPV4, endpoints,
                    List.of(EndpointPort.of("http", Protocol.TCP, 8080)), Map.of()));
        }
        return new ServiceCompiler(NodeContext.of("node-0", "192.168.1.10"), sizing).compile(svcs, slices).table();
    }

    /** Drawing 64 flows and nothing else: the part of every other benchmark that is not the decision. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long generateOnly() {
        final RandomFlows f = flows;
        f.next();
        long acc = 0;
        for (int k = 0; k < BATCH; k++) {
            acc += f.dstLo[k] + f.srcLo[k] + f.flowHash[k];
        }
        return acc;
    }

    /** Single mode: {@code decideNewFlow} (lookup then decision) for each flow in turn. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int decideOneAtATime() {
        final RandomFlows f = flows;
        f.next();
        return decideOneAtATime(table, f, decision);
    }

    /**
     * Batch mode, as the ServiceDnatStage decides a batch: six passes, each a set of independent
     * loads or arithmetic — every flow's home bucket (arithmetic), a load of each (nothing waits
     * on them, so the batch's bucket misses are in flight together), every lookup from lines
     * already loaded, every Maglev entry or backend line ({@link ServiceTable#backendHint}), every
     * backend record or line ({@link ServiceTable#touchBackend}), then every decision from lines
     * already loaded.
     */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int decideInStagePasses() {
        final RandomFlows f = flows;
        f.next();
        return decideInStagePasses(table, f, frontends, hints, decision);
    }

    static int decideInStagePasses(ServiceTable table, RandomFlows f, int[] frontends, int[] hints, ServiceDecision decision) {
        for (int k = 0; k < BATCH; k++) {
            frontends[k] = table.frontendHome(0, f.dstLo[k], 80, 6);
        }
        int acc = 0;
        for (int k = 0; k < BATCH; k++) {
            acc += table.touchFrontend(frontends[k]);
        }
        for (int k = 0; k < BATCH; k++) {
            frontends[k] = table.findFrontendFrom(frontends[k], 0, f.dstLo[k], 80, 6);
        }
        for (int k = 0; k < BATCH; k++) {
            hints[k] = table.backendHint(frontends[k], f.flowHash[k]);
        }
        for (int k = 0; k < BATCH; k++) {
            acc += table.touchBackend(hints[k]);
        }
        for (int k = 0; k < BATCH; k++) {
            acc += table.decide(frontends[k], hints[k], 0, f.srcLo[k], f.flowHash[k], TrafficSource.CLUSTER_POD, 0, null, decision).id();
            acc += decision.backendPort();
        }
        return acc;
    }

    /**
     * The stage's batch as session 4 decided it, for comparison: four passes (lookups, Maglev
     * entries, backend records, decisions), each lookup computing its hash and reading its bucket.
     */
    static int decideInFourPasses(ServiceTable table, RandomFlows f, int[] frontends, int[] hints, ServiceDecision decision) {
        for (int k = 0; k < BATCH; k++) {
            frontends[k] = table.findFrontend(0, f.dstLo[k], 80, 6);
        }
        for (int k = 0; k < BATCH; k++) {
            hints[k] = table.backendHint(frontends[k], f.flowHash[k]);
        }
        int acc = 0;
        for (int k = 0; k < BATCH; k++) {
            acc += table.touchBackend(hints[k]);
        }
        for (int k = 0; k < BATCH; k++) {
            acc += table.decide(frontends[k], hints[k], 0, f.srcLo[k], f.flowHash[k], TrafficSource.CLUSTER_POD, 0, null, decision).id();
            acc += decision.backendPort();
        }
        return acc;
    }

    static int decideOneAtATime(ServiceTable table, RandomFlows f, ServiceDecision decision) {
        int acc = 0;
        for (int k = 0; k < BATCH; k++) {
            acc += table.decideNewFlow(0, f.dstLo[k], 80, 6, 0, f.srcLo[k], f.flowHash[k], TrafficSource.CLUSTER_POD, 0, null, decision).id();
            acc += decision.backendPort();
        }
        return acc;
    }

    /** The frontend lookup alone (one bucket per flow). */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int lookupOnly() {
        final RandomFlows f = flows;
        f.next();
        int acc = 0;
        for (int k = 0; k < BATCH; k++) {
            acc += table.findFrontend(0, f.dstLo[k], 80, 6);
        }
        return acc;
    }
}
