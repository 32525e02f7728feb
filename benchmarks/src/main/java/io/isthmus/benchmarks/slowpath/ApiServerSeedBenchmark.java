package io.isthmus.benchmarks.slowpath;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.Headers;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.isthmus.slowpath.apiserver.EmbeddedApiServer;
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

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Seeding an API server with {@code services} Services and their EndpointSlices (2 objects per
 * Service), side by side: fabric8's own CRUD dispatcher (every create first scans every stored
 * object for a name conflict: quadratic) and the embedded API server's in-process
 * {@link EmbeddedApiServer#create} (its store indexed by kind, namespace and name; it also does
 * the body checks and admission a POST gets). Compare the time at two sizes: linear seeding
 * grows like the size ratio, quadratic like its square.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx4g"})
public class ApiServerSeedBenchmark {
    @Param({"1000", "4000"})
    int services;
    @Param({"10"})
    int endpointsPerService;

    private final List<HasMetadata> objects = new ArrayList<>();
    private final List<String> paths = new ArrayList<>();
    private final List<String> bodies = new ArrayList<>();
    private EmbeddedApiServer server;
    private KubernetesCrudDispatcher fabric8;

    @Setup(Level.Trial)
    public void objects() {
        for (int i = 0; i < services; i++) {
            objects.add(ClusterObjects.service(i));
            paths.add("/api/v1/namespaces/default/services");
            objects.add(ClusterObjects.slice(i, endpointsPerService, false));
            paths.add("/apis/discovery.k8s.io/v1/namespaces/default/endpointslices");
        }
        objects.forEach(object -> bodies.add(Serialization.asJson(object)));
    }

    @Setup(Level.Invocation)
    public void emptyStores() {
        server = EmbeddedApiServer.start(0, List.of());
        fabric8 = new KubernetesCrudDispatcher(List.of());
    }

    @TearDown(Level.Invocation)
    public void close() {
        server.close();
    }

    @Benchmark
    public int fabric8CrudDispatcher() {
        int created = 0;
        for (int i = 0; i < bodies.size(); i++) {
            final int code = fabric8.dispatch(new RecordedRequest("HTTP/1.1", HttpMethod.POST, paths.get(i),
                    new Headers.Builder().add("Content-Type", "application/json").build(),
                    new Buffer(bodies.get(i).getBytes(StandardCharsets.UTF_8)))).code();
            created += code == 201 ? 1 : 0;
        }
        return check(created);
    }

    @Benchmark
    public int embeddedApiServerIndexed() {
        for (HasMetadata object : objects) {
            server.create(object);
        }
        return check(objects.size());
    }

    private int check(int created) {
        if (created != objects.size()) {
            throw new IllegalStateException("created " + created + " of " + objects.size());
        }
        return created;
    }
}
