package io.isthmus.benchmarks.slowpath;

import io.isthmus.lb.compile.Compilation;
import io.isthmus.lb.compile.NodeContext;
import io.isthmus.lb.compile.ServiceCompiler;
import io.isthmus.lb.model.AddressType;
import io.isthmus.lb.model.Endpoint;
import io.isthmus.lb.model.EndpointConditions;
import io.isthmus.lb.model.EndpointPort;
import io.isthmus.lb.model.EndpointSlice;
import io.isthmus.lb.model.Protocol;
import io.isthmus.lb.model.Service;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * services-lb's {@link ServiceCompiler} alone, side by side in one run: one EndpointSlice changed
 * then an incremental generation (only that Service recompiled, the table assembled from the
 * kept pieces); a generation with nothing changed (the assembly alone: the floor of any change);
 * and recompiling every Service (what every change cost before the compiler was incremental).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx4g"})
public class ServiceCompileBenchmark {
    @Param({"10000"})
    int services;
    @Param({"10"})
    int endpointsPerService;

    private ServiceCompiler compiler;
    private List<Service> allServices;
    private List<EndpointSlice> allSlices;
    private EndpointSlice[][] slices;
    private boolean[] flipped;
    private int next;

    @Setup(Level.Trial)
    public void load() {
        compiler = new ServiceCompiler(NodeContext.of("node-a", "192.168.1.10"));
        allServices = new ArrayList<>();
        allSlices = new ArrayList<>();
        slices = new EndpointSlice[services][];
        flipped = new boolean[services];
        for (int i = 0; i < services; i++) {
            Service service = Service.builder("default", "svc-" + i).clusterIPs(ClusterObjects.ip(0x0A600001, i))
                    .port("http", Protocol.TCP, 80).build();
            slices[i] = new EndpointSlice[] {slice(i, false), slice(i, true)};
            allServices.add(service);
            allSlices.add(slices[i][0]);
            compiler.putService(service);
            compiler.putSlice(key(i), slices[i][0]);
        }
        compiler.compile();
    }

    /** One slice changed (the readiness of its first endpoint flips), then a new generation. */
    @Benchmark
    public Compilation changeOneSliceIncremental() {
        final int i = next;
        next = (next + 7919) % services;
        flipped[i] = !flipped[i];
        compiler.putSlice(key(i), slices[i][flipped[i] ? 1 : 0]);
        return compiler.compile();
    }

    /** A generation with nothing to recompile: the assembly of the table from every kept piece. */
    @Benchmark
    public Compilation assembleOnly() {
        return compiler.compile();
    }

    /** Every Service recompiled (the cost of each change before the compilation was incremental). */
    @Benchmark
    public Compilation recompileEveryService() {
        return compiler.compile(allServices, allSlices);
    }

    private static String key(int i) {
        return "default/svc-" + i + "-abcde";
    }

    private EndpointSlice slice(int i, boolean flip) {
        List<Endpoint> endpoints = new ArrayList<>();
        for (int e = 0; e < endpointsPerService; e++) {
            EndpointConditions conditions = flip && e == 0 ? EndpointConditions.NOT_READY : EndpointConditions.READY;
            endpoints.add(Endpoint.of(ClusterObjects.ip(0x0AF40000, i * endpointsPerService + e), conditions, e % 2 == 0 ? "node-a" : "node-b"));
        }
        return new EndpointSlice("default", "svc-" + i + "-abcde", "svc-" + i, AddressType.IPV4, endpoints,
                List.of(EndpointPort.of("http", Protocol.TCP, 8080)), Map.of());
    }
}
