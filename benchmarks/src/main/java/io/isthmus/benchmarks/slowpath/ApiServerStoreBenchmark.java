package io.isthmus.benchmarks.slowpath;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.Headers;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.isthmus.slowpath.apiserver.IndexedCrudDispatcher;
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

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The cost of one object's create, read and delete in an API server store that already holds
 * {@code services} Services and their EndpointSlices, side by side: fabric8's own CRUD dispatcher
 * ({@code store=fabric8}: every create and every GET or DELETE of one object matches every stored
 * object, so seeding N objects is quadratic) and the embedded API server's
 * {@link IndexedCrudDispatcher} ({@code store=indexed}). Linear seeding means this cost does not
 * grow with the store. The setup prints how long seeding the store took.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx4g"})
public class ApiServerStoreBenchmark {
    private static final String CONFIG_MAPS = "/api/v1/namespaces/default/configmaps";

    @Param({"fabric8", "indexed"})
    String store;
    @Param({"1000", "10000"})
    int services;
    @Param({"10"})
    int endpointsPerService;

    private KubernetesCrudDispatcher dispatcher;
    private String configMap;
    private int round;

    @Setup(Level.Trial)
    public void seed() {
        dispatcher = store.equals("indexed") ? new IndexedCrudDispatcher() : new KubernetesCrudDispatcher(List.of());
        final long startNs = System.nanoTime();
        for (int i = 0; i < services; i++) {
            expect(201, post("/api/v1/namespaces/default/services", ClusterObjects.service(i)));
            expect(201, post("/apis/discovery.k8s.io/v1/namespaces/default/endpointslices", ClusterObjects.slice(i, endpointsPerService, false)));
        }
        System.out.printf("%nseeded %s with %d Services and %d EndpointSlices in %.1f s%n", store, services, services,
                (System.nanoTime() - startNs) / 1e9);
        configMap = Serialization.asJson(new ConfigMapBuilder().withNewMetadata().withName("extra").withNamespace("default").endMetadata()
                .addToData("key", "value").build());
    }

    /** POST a ConfigMap, GET it by name, DELETE it: the store is the same size after each operation. */
    @Benchmark
    public int createReadDeleteOne() {
        round++;
        int codes = expect(201, request(HttpMethod.POST, CONFIG_MAPS, configMap));
        codes += expect(200, request(HttpMethod.GET, CONFIG_MAPS + "/extra", ""));
        codes += expect(200, request(HttpMethod.DELETE, CONFIG_MAPS + "/extra", ""));
        return codes + round;
    }

    private int post(String path, HasMetadata object) {
        return request(HttpMethod.POST, path, Serialization.asJson(object));
    }

    private int request(HttpMethod method, String path, String body) {
        return dispatcher.dispatch(new RecordedRequest("HTTP/1.1", method, path,
                new Headers.Builder().add("Content-Type", "application/json").build(),
                new Buffer(body.getBytes(StandardCharsets.UTF_8)))).code();
    }

    private static int expect(int code, int actual) {
        if (actual != code) {
            throw new IllegalStateException("expected HTTP " + code + ", got " + actual);
        }
        return actual;
    }
}
