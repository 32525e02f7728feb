package io.isthmus.slowpath.up;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.isthmus.fastpath.control.DesiredStateTables;
import io.isthmus.fastpath.control.PortAttachment;
import io.isthmus.fastpath.control.compile.NodeSettings;
import io.isthmus.fastpath.packet.Ipv4Address;
import io.isthmus.fastpath.packet.MacAddress;
import io.isthmus.fastpath.runtime.FastpathRuntime;
import io.isthmus.fastpath.runtime.FastpathRuntimeConfig;
import io.isthmus.fastpath.runtime.PipelineFactory;
import io.isthmus.slowpath.apiserver.EmbeddedApiServer;
import io.isthmus.slowpath.cni.CniHandler;
import io.isthmus.slowpath.cni.CniServer;
import io.isthmus.slowpath.cni.FastpathPorts;
import io.isthmus.slowpath.cni.IpamStore;
import io.isthmus.slowpath.cni.Ipv4Cidr;
import io.isthmus.slowpath.cni.NetlinkPodNetworkBackend;
import io.isthmus.slowpath.controlplane.EndpointSliceController;
import io.isthmus.slowpath.controlplane.ServiceAllocation;
import io.isthmus.slowpath.k8s.ClusterWatch;
import io.isthmus.slowpath.reconcile.DesiredRecords;
import io.isthmus.slowpath.reconcile.Reconciler;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The agent of {@code isthmus up}, in the session's JVM: the fast path (one worker, ports attached
 * and detached as pods come and go, tables compiled from desired records), the CNI server that
 * wires pods and hands their host ends to it, and the control plane of a one-node cluster: the
 * embedded API server with ClusterIP/NodePort allocation, the EndpointSlice controller, informers
 * and the reconciler that turns objects into the fast path's desired records.
 *
 * <pre>
 *   kubectl / up ──▶ EmbeddedApiServer ◀── EndpointSliceController
 *                          │ informers (ClusterWatch)
 *                          ▼
 *                     Reconciler ──FastpathControl──▶ FastpathRuntime (worker, ports, tables)
 *   cni plugin ──▶ CniServer ──netlink──▶ veths ──attachPort──┘
 * </pre>
 *
 * <p><b>Thread-safety:</b> started and closed by the session's thread; each part has its own
 * threads (see their classes).
 */
public final class EmbeddedUpAgent implements UpAgent {
    /** The pods' addresses. */
    public static final String POD_CIDR = "10.244.0.0/24";
    /** The conntrack table's file: it outlives the runtime on purpose, so {@code down} removes it. */
    public static final Path CONNTRACK_FILE = Path.of("/dev/shm/isthmus-up-conntrack");
    private static final Duration PORT_TIMEOUT = Duration.ofSeconds(10);

    private final List<AutoCloseable> parts = new ArrayList<>();
    private final UpState state;
    private EmbeddedApiServer apiServer;
    private KubernetesClient client;
    private FastpathRuntime runtime;
    private CniServer cni;
    private Reconciler reconciler;
    private EndpointSliceController endpointSlices;

    private EmbeddedUpAgent(UpState state) {
        this.state = state;
    }

    /** Starts every part; on failure stops what started and throws naming the part. */
    public static EmbeddedUpAgent start(UpState state, String nodeName, String hostIp) throws Exception {
        final EmbeddedUpAgent agent = new EmbeddedUpAgent(state);
        try {
            agent.startParts(nodeName, hostIp);
            return agent;
        } catch (Exception | Error e) {
            agent.close();
            throw e;
        }
    }

    private void startParts(String nodeName, String hostIp) throws Exception {
        final CompilingDesiredState desired = new CompilingDesiredState();
        runtime = step("the fast path", () -> FastpathRuntime.start(FastpathRuntimeConfig.defaults(CONNTRACK_FILE), desired,
                PipelineFactory.switching()));
        parts.add(runtime);
        desired.compileInto(new DesiredStateTables(runtime.tables(), NodeSettings.of(nodeName, hostIp)));

        cni = step("the CNI server", () -> CniServer.start(state.cniSocket(), new CniHandler(
                new IpamStore(state.ipamDir(), Ipv4Cidr.parse(POD_CIDR)), new NetlinkPodNetworkBackend(new RuntimePorts(runtime)))));
        parts.add(cni);

        apiServer = step("the API server", () -> EmbeddedApiServer.start(0, List.of(ServiceAllocation.defaults())));
        parts.add(apiServer);
        client = apiServer.newClient();
        parts.add(client);
        endpointSlices = new EndpointSliceController(apiServer.newClient()).start();
        parts.add(endpointSlices);
        final ClusterWatch watch = new ClusterWatch(apiServer.newClient());
        parts.add(watch);
        reconciler = new Reconciler(watch, runtime.control(), new DesiredRecords(nodeName), () -> { }).start();
        parts.add(reconciler);
        watch.start(Duration.ofSeconds(30));
    }

    private interface Step<T> {
        T run() throws Exception;
    }

    private static <T> T step(String what, Step<T> step) throws Exception {
        try {
            return step.run();
        } catch (Exception e) {
            throw new IOException("cannot start " + what + ": " + e.getMessage(), e);
        }
    }

    @Override
    public Path cniSocket() {
        return cni.socketPath();
    }

    @Override
    public KubernetesClient client() {
        return client;
    }

    @Override
    public void writeKubeconfig(Path file) throws IOException {
        apiServer.writeKubeconfig(file);
    }

    @Override
    public Optional<URI> metrics() {
        return Optional.empty();
    }

    @Override
    public List<Path> leftovers() {
        return List.of(CONNTRACK_FILE);
    }

    /**
     * Waits until the control plane is quiet (no slice written, no reconciler batch for 500 ms),
     * then until the fast path's control agent has applied everything sent before.
     */
    @Override
    public void awaitProgrammed(Duration timeout) throws Exception {
        final long deadline = System.nanoTime() + timeout.toNanos();
        long lastChangeNs = System.nanoTime();
        long seen = -1;
        while (System.nanoTime() < deadline) {
            final long now = endpointSlices.writes() * 1_000_003 + reconciler.batches();
            if (now != seen) {
                seen = now;
                lastChangeNs = System.nanoTime();
            } else if (System.nanoTime() - lastChangeNs > TimeUnit.MILLISECONDS.toNanos(500) && reconciler.resyncs() > 0) {
                runtime.control().barrier().get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                return;
            }
            Thread.sleep(50);
        }
        throw new IOException("the tables were not programmed within " + timeout.toSeconds() + " s");
    }

    /** Stops the parts in reverse: informers and controllers, the API server, CNI, then the fast path (ports detached). */
    @Override
    public void close() {
        for (AutoCloseable part : parts.reversed()) {
            try {
                part.close();
            } catch (Exception e) {
                System.err.println("isthmus up: stopping " + part.getClass().getSimpleName() + ": " + e.getMessage());
            }
        }
        parts.clear();
    }

    /** The CNI server's view of the fast path's ports. */
    private record RuntimePorts(FastpathRuntime runtime) implements FastpathPorts {
        @Override
        public void attach(String hostIfName, Inet4Address podAddress, String podMac) throws Exception {
            runtime.control().attachPort(new PortAttachment(hostIfName, Ipv4Address.parse(podAddress.getHostAddress()),
                    MacAddress.parse(podMac), hostIfName)).get(PORT_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        }

        @Override
        public void detach(String hostIfName) throws Exception {
            runtime.control().detachPort(hostIfName).get(PORT_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        }

        @Override
        public boolean isAttached(String hostIfName) {
            return runtime.ports().isAttached(hostIfName);
        }

        @Override
        public Optional<String> unavailableReason() {
            return Optional.ofNullable(runtime.workerError()).map(e -> "the fast path's worker failed: " + e.getMessage());
        }
    }
}
