package io.isthmus.slowpath.reconcile;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.isthmus.fastpath.control.DesiredStateTables;
import io.isthmus.fastpath.control.FastpathTables;
import io.isthmus.fastpath.control.compile.NodeSettings;
import io.isthmus.fastpath.pipeline.RouteTable;
import io.isthmus.fastpath.pipeline.RouteTableRef;
import io.isthmus.slowpath.apiserver.EmbeddedApiServer;
import io.isthmus.slowpath.controlplane.EndpointSliceController;
import io.isthmus.slowpath.controlplane.ServiceAllocation;
import io.isthmus.slowpath.k8s.ClusterWatch;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;

/**
 * The whole slow path in one JVM for tests: the embedded API server with the control-plane
 * emulation, a ClusterWatch and Reconciler driving a DesiredStateTables directly. The dump of the
 * published tables is made on the reconciler thread (the policy compiler's owner) after each
 * publication.
 */
final class ClusterHarness implements AutoCloseable {
    static final String NODE = "node-a";

    EmbeddedApiServer server;
    final KubernetesClient client;
    final EndpointSliceController endpointSlices;
    final ClusterWatch watch;
    final Reconciler reconciler;
    final FastpathTables tables = FastpathTables.empty(new RouteTableRef(RouteTable.empty()));
    private final AtomicReference<String> dump = new AtomicReference<>("");

    ClusterHarness(int port) throws Exception {
        this.server = EmbeddedApiServer.start(port, List.of(ServiceAllocation.defaults()));
        this.client = server.newClient();
        this.endpointSlices = new EndpointSliceController(server.newClient()).start();
        this.watch = new ClusterWatch(server.newClient());
        final DesiredStateTables desired = new DesiredStateTables(tables, NodeSettings.of(NODE, "192.168.1.10"));
        final LocalTablesControl control = new LocalTablesControl(desired, changes -> dump.set(dump(desired)));
        this.reconciler = new Reconciler(watch, control, new DesiredRecords(NODE), control::applyPending).start();
        watch.start(Duration.ofSeconds(10));
    }

    static String dump(DesiredStateTables desired) {
        return TablesDump.of(desired);
    }

    /** The dump of the tables published last. */
    String dump() {
        return dump.get();
    }

    void apply(Path yaml) throws Exception {
        try (InputStream in = Files.newInputStream(yaml)) {
            for (HasMetadata object : client.load(in).items()) {
                client.resource(object).create();
            }
        }
    }

    /** Waits (at most {@code timeout}) until the published dump satisfies {@code done}; returns the last dump. */
    String awaitDump(Predicate<String> done, Duration timeout) throws InterruptedException {
        final long deadline = System.nanoTime() + timeout.toNanos();
        String last = dump();
        while (!done.test(last) && System.nanoTime() < deadline) {
            Thread.sleep(50);
            last = dump();
        }
        return last;
    }

    /** Stops the API server (its objects are lost, as with an etcd wiped) and starts an empty one on the same port. */
    void restartServer(Duration down) throws InterruptedException {
        final int port = server.port();
        server.close();
        Thread.sleep(down.toMillis());
        server = EmbeddedApiServer.start(port, List.of(ServiceAllocation.defaults()));
    }

    @Override
    public void close() {
        reconciler.close();
        watch.close();
        endpointSlices.close();
        client.close();
        server.close();
    }
}
