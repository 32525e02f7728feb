package io.isthmus.benchmarks.slowpath;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.isthmus.fastpath.control.DesiredStateTables;
import io.isthmus.fastpath.control.FastpathTables;
import io.isthmus.fastpath.control.compile.NodeSettings;
import io.isthmus.fastpath.pipeline.RouteTable;
import io.isthmus.fastpath.pipeline.RouteTableRef;
import io.isthmus.slowpath.apiserver.EmbeddedApiServer;
import io.isthmus.slowpath.k8s.ClusterWatch;
import io.isthmus.slowpath.reconcile.DesiredRecords;
import io.isthmus.slowpath.reconcile.LocalTablesControl;
import io.isthmus.slowpath.reconcile.Reconciler;
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
import org.openjdk.jmh.annotations.TearDown;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * From an object change at the API server to the new table generation published, with
 * {@code services} Services of one port and {@code services × endpointsPerService} endpoints
 * loaded: the benchmark thread updates one EndpointSlice over HTTP (the readiness of one endpoint
 * flips), and the operation ends when the reconciler has published the next generation. The path
 * measured: HTTP PUT → embedded API server (fabric8 CRUD) → watch event → informer → reconciler
 * (map, diff) → DesiredStateTables (ServiceCompiler over every Service; the DNS zone is not
 * rebuilt for a ClusterIP Service's slice) → {@code Published.publish}.
 *
 * <p>Run with SampleTime and read p0.99 (the target is ≤ 100 ms at 10,000 Services).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx4g"})
public class SlowpathUpdateBenchmark {
    @Param({"10000"})
    int services;
    @Param({"10"})
    int endpointsPerService;

    private EmbeddedApiServer server;
    private KubernetesClient client;
    private ClusterWatch watch;
    private Reconciler reconciler;
    private final FastpathTables tables = FastpathTables.empty(new RouteTableRef(RouteTable.empty()));
    private final AtomicLong publications = new AtomicLong();
    private final AtomicLong compileNsTotal = new AtomicLong();
    private int next;
    private boolean[] flipped;

    @Setup(Level.Trial)
    public void load() throws Exception {
        server = EmbeddedApiServer.start(0, List.of());
        flipped = new boolean[services];
        final long startNs = System.nanoTime();
        for (int i = 0; i < services; i++) {
            server.create(ClusterObjects.service(i));
            server.create(ClusterObjects.slice(i, endpointsPerService, false));
        }
        System.out.printf("%nloaded %d Services and %d endpoints in %.1f s%n", services, services * endpointsPerService,
                (System.nanoTime() - startNs) / 1e9);
        client = server.newClient();
        final DesiredStateTables desired = new DesiredStateTables(tables, NodeSettings.of("node-a", "192.168.1.10"));
        final LocalTablesControl control = new LocalTablesControl(desired, changes -> {
            compileNsTotal.addAndGet(changes.compileNs());
            publications.incrementAndGet();
        });
        watch = new ClusterWatch(server.newClient());
        reconciler = new Reconciler(watch, control, new DesiredRecords("node-a"), control::applyPending).start();
        watch.start(Duration.ofMinutes(5));
        final long deadlineNs = System.nanoTime() + Duration.ofMinutes(5).toNanos();
        while (tables.services().current() == null || tables.services().current().frontendKeys().size() < services) {
            if (System.nanoTime() > deadlineNs) {
                throw new IllegalStateException("the first generation with every Service was not published within 5 minutes");
            }
            Thread.sleep(100);
        }
        System.out.printf("first generation with %d frontends published after %.1f s%n", tables.services().current().frontendKeys().size(),
                (System.nanoTime() - startNs) / 1e9);
        compileNsTotal.set(0);
        publications.set(0);
    }

    @Benchmark
    public long updateOneSliceUntilPublished() {
        final int i = next;
        next = (next + 7919) % services;
        final long before = publications.get();
        flipped[i] = !flipped[i]; // every update changes the slice's content
        client.discovery().v1().endpointSlices().inNamespace("default")
                .resource(ClusterObjects.slice(i, endpointsPerService, flipped[i])).update();
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (publications.get() == before) {
            if (System.nanoTime() > deadlineNs) {
                throw new IllegalStateException("no generation published within 30 s of updating slice svc-" + i);
            }
            LockSupport.parkNanos(20_000);
        }
        return publications.get();
    }

    @TearDown(Level.Trial)
    public void close() {
        final long count = publications.get();
        System.out.printf("%npublications %d, compile (ServiceCompiler + publish) %.1f ms on average%n", count,
                count == 0 ? 0.0 : compileNsTotal.get() / 1e6 / count);
        reconciler.close();
        watch.close();
        client.close();
        server.close();
    }
}
