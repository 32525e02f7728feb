package io.isthmus.slowpath.up;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.isthmus.fastpath.control.compile.NodeSettings;
import io.isthmus.fastpath.runtime.FastpathRuntimeConfig;
import io.isthmus.fastpath.uplink.UplinkConfig;
import io.isthmus.fastpath.worker.IdleMode;
import io.isthmus.fastpath.worker.WorkerThread;
import io.isthmus.slowpath.agent.AgentConfig;
import io.isthmus.slowpath.agent.IsthmusAgent;
import io.isthmus.slowpath.agent.KubernetesSlowPath;
import io.isthmus.slowpath.agent.ReconcileLatency;
import io.isthmus.slowpath.agent.dns.ClusterDnsConfig;
import io.isthmus.slowpath.agent.host.HostPortConfig;
import io.isthmus.slowpath.ingress.IngressController;
import io.isthmus.slowpath.ingress.IngressSettings;
import io.isthmus.slowpath.apiserver.EmbeddedApiServer;
import io.isthmus.slowpath.cni.Ipv4Cidr;
import io.isthmus.slowpath.controlplane.EndpointSliceController;
import io.isthmus.slowpath.controlplane.ServiceAllocation;
import io.isthmus.slowpath.reconcile.Reconciler;
import io.isthmus.fastpath.control.aeron.EmbeddedMediaDriver;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The agent of {@code isthmus up}, in the session's JVM: the control plane of a one-node cluster
 * (the embedded API server with ClusterIP/NodePort allocation and the EndpointSlice controller)
 * in front of the node agent ({@link IsthmusAgent}: fast path, Aeron control channel, CNI server,
 * /metrics), whose slow path is the informers and the reconciler watching that API server. Its
 * fast path compiles what it receives into tables for this node (name and the default route's
 * address: local endpoints, NodePorts) and runs the whole pipeline: conntrack, Service DNAT, policy.
 * Its host port ({@code isthmus0}, {@value #HOST_PORT_ENV}) joins the node to the pod network: the
 * ingress proxy reaches the pods, pods reach the node, and DNS over TCP is served on 10.96.0.10.
 *
 * <pre>
 *   kubectl / up ──▶ EmbeddedApiServer ◀── EndpointSliceController
 *                          │ informers (ClusterWatch)
 *                          ▼
 *                     Reconciler ──FastpathControl (Aeron IPC)──▶ IsthmusAgent: fast path, ports
 *   cni plugin ──▶ IsthmusAgent's CNI server ──netlink──▶ veths ──attach──┘
 * </pre>
 *
 * <p><b>Thread-safety:</b> started and closed by the session's thread; each part has its own
 * threads (see their classes).
 */
public final class EmbeddedUpAgent implements UpAgent {
    /** The pods' addresses, unless {@value #POD_CIDR_ENV} says otherwise. */
    public static final String POD_CIDR = "10.244.0.0/24";
    /** Environment: the pods' addresses (default {@value #POD_CIDR}); the host port routes it, so two sessions need two. */
    public static final String POD_CIDR_ENV = "ISTHMUS_UP_POD_CIDR";
    /**
     * Environment: the cluster DNS address (default 10.96.0.10); with a host port the node serves DNS over
     * TCP on it, so two sessions need two.
     */
    public static final String CLUSTER_DNS_ENV = "ISTHMUS_UP_CLUSTER_DNS";
    /** Environment: the resolv.conf whose nameservers answer names outside the cluster (default /etc/resolv.conf). */
    public static final String DNS_UPSTREAMS_ENV = "ISTHMUS_DNS_UPSTREAMS";
    /** Environment: the ingress proxy's HTTP and HTTPS ports on every address (defaults 8080, 8443). */
    public static final String INGRESS_HTTP_PORT_ENV = "ISTHMUS_INGRESS_HTTP_PORT";
    public static final String INGRESS_HTTPS_PORT_ENV = "ISTHMUS_INGRESS_HTTPS_PORT";
    public static final int DEFAULT_INGRESS_HTTP_PORT = 8080;
    public static final int DEFAULT_INGRESS_HTTPS_PORT = 8443;
    /**
     * Environment: the host end of the node's host port (default isthmus0; the fast-path end is
     * NAME + "fp"); {@code none}: no host port (the node cannot reach pods, no DNS over TCP).
     */
    public static final String HOST_PORT_ENV = "ISTHMUS_HOST_PORT";

    private final List<AutoCloseable> parts = new ArrayList<>();
    private final Path aeronDirectory = EmbeddedMediaDriver.uniqueDirectory();
    /** The conntrack table ({@link UpState#conntrackTable()}): it outlives the runtime on purpose, so {@code down} removes it. */
    private Path conntrackFile;
    private String clusterDnsIp = ClusterDnsConfig.DEFAULT_SERVICE_IP;
    private EmbeddedApiServer apiServer;
    private KubernetesClient client;
    private EndpointSliceController endpointSlices;
    private IngressController ingress;
    private KubernetesSlowPath slowPath;
    private IsthmusAgent agent;
    /** What the attached uplink is ({@code UplinkPort.describe()}), null when none. */
    private String uplink;

    private EmbeddedUpAgent() {
    }

    /** Starts every part (the worker idling as {@link IdleMode#NODE_DEFAULT}, at the node's nice value); on failure stops what started and throws naming the part. */
    public static EmbeddedUpAgent start(UpState state, String nodeName, String hostIp) throws Exception {
        return start(state, nodeName, hostIp, IdleMode.NODE_DEFAULT, WorkerThread.NODE);
    }

    /** Starts every part, the fast-path worker idling and placed as given; on failure stops what started and throws naming the part. */
    public static EmbeddedUpAgent start(UpState state, String nodeName, String hostIp, IdleMode idle, WorkerThread workerThread)
            throws Exception {
        return start(state, nodeName, hostIp, idle, workerThread, null);
    }

    /**
     * As {@link #start(UpState, String, String, IdleMode, WorkerThread)}, with {@code uplink} (an
     * interface name, or null for none) attached as the node's uplink ({@link UpUplink}) once the
     * agent runs.
     */
    public static EmbeddedUpAgent start(UpState state, String nodeName, String hostIp, IdleMode idle, WorkerThread workerThread,
                                        String uplink) throws Exception {
        final EmbeddedUpAgent agent = new EmbeddedUpAgent();
        agent.conntrackFile = state.conntrackTable();
        try {
            agent.startParts(state, nodeName, hostIp, FastpathRuntimeConfig.defaults(agent.conntrackFile).withIdleMode(idle)
                    .withWorkerThread(workerThread), uplink);
            return agent;
        } catch (Exception | Error e) {
            agent.close();
            throw e;
        }
    }

    private void startParts(UpState state, String nodeName, String hostIp, FastpathRuntimeConfig runtime, String uplinkName) throws Exception {
        final Ipv4Cidr podCidr = setting(POD_CIDR_ENV, POD_CIDR, Ipv4Cidr::parse);
        final java.net.Inet4Address clusterDns = setting(CLUSTER_DNS_ENV, ClusterDnsConfig.DEFAULT_SERVICE_IP, Ipv4Cidr::parseAddress);
        clusterDnsIp = clusterDns.getHostAddress();
        final int httpPort = setting(INGRESS_HTTP_PORT_ENV, String.valueOf(DEFAULT_INGRESS_HTTP_PORT), EmbeddedUpAgent::port);
        final int httpsPort = setting(INGRESS_HTTPS_PORT_ENV, String.valueOf(DEFAULT_INGRESS_HTTPS_PORT), EmbeddedUpAgent::port);
        final String hostPortName = setting(HOST_PORT_ENV, HostPortConfig.DEFAULT_HOST_IFNAME);
        final HostPortConfig hostPort = "none".equals(hostPortName) ? null : setting(HOST_PORT_ENV, hostPortName, HostPortConfig::named);
        // before anything is made (and before down is told of a host port): a name another session holds is refused
        SessionConflicts.refuseTaken(new SessionConflicts.Claims(runtime.conntrack().path(), podCidr, clusterDns, hostPort, httpPort, httpsPort));
        final UplinkConfig uplinkConfig = uplinkName == null ? null : UpUplink.configFor(uplinkName);
        final List<String> nodeAddresses = new ArrayList<>(List.of(hostIp)); // NodePorts answer on each
        if (uplinkConfig != null) {
            for (int address : uplinkConfig.nodeAddresses()) {
                final String text = io.isthmus.fastpath.packet.Ipv4Address.format(address);
                if (!nodeAddresses.contains(text)) {
                    nodeAddresses.add(text);
                }
            }
        }
        apiServer = step("the API server", () -> EmbeddedApiServer.start(0, List.of(ServiceAllocation.withClusterDns(clusterDnsIp))));
        parts.add(apiServer);
        client = apiServer.newClient();
        parts.add(client);
        endpointSlices = new EndpointSliceController(apiServer.newClient()).start();
        parts.add(endpointSlices);
        slowPath = new KubernetesSlowPath(apiServer::newClient, nodeName);
        final AgentConfig config = new AgentConfig(runtime, aeronDirectory,
                state.cniSocket(), state.ipamDir(), podCidr, 0, Duration.ofSeconds(10), NodeSettings.of(nodeName, nodeAddresses.toArray(String[]::new)),
                new ClusterDnsConfig(clusterDnsIp, ClusterDnsConfig.defaults().servicePort(), ClusterDnsConfig.DEFAULT_UPSTREAM_RESOLV_CONF).withUpstreamResolvConf(Path.of(setting(DNS_UPSTREAMS_ENV, "/etc/resolv.conf"))));
        if (hostPort != null) {
            UpState.writeAtomically(state.hostPortFile(), hostPort.hostIfName() + "\n"); // before it exists: down finds it after a crash
        }
        agent = step("the node agent", () -> IsthmusAgent.start(config.withHostPort(hostPort), slowPath, new ReconcileLatency()));
        parts.add(agent);
        if (uplinkConfig != null) {
            UpState.writeAtomically(state.uplinkFile(), uplinkConfig.interfaceName() + "\n"); // for status, and down's check after a crash
            uplink = step("the uplink " + uplinkConfig.interfaceName(), () -> agent.runtime().attachUplink(uplinkConfig).describe());
            // detached again when the agent closes (its runtime lets the uplink go first); externalIPs / LB IPs follow the Services
            agent.services().compileCycle().alsoTell(agent.runtime().uplink()::follow);
        }
        final KubernetesClient ingressClient = apiServer.newClient();
        parts.add(ingressClient);
        ingress = step("the ingress controller", () -> IngressController.start(ingressClient,
                IngressSettings.defaults().withPorts("0.0.0.0", httpPort, httpsPort).withStatusAddress(hostIp)));
        parts.add(ingress);
    }

    private static String setting(String name, String fallback) {
        final String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }

    /** The setting {@code name} parsed; a bad value is refused naming the variable. */
    private static <T> T setting(String name, String fallback, java.util.function.Function<String, T> parse) {
        final String value = setting(name, fallback);
        try {
            return parse.apply(value.strip());
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(name + "='" + value + "': " + e.getMessage(), e);
        }
    }

    private static int port(String text) {
        final int port = Integer.parseInt(text);
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("not a port (1..65535)");
        }
        return port;
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
        return agent.cni().socketPath();
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
        return agent.metrics() == null ? Optional.empty()
                : Optional.of(URI.create("http://127.0.0.1:" + agent.metrics().port() + "/metrics"));
    }

    @Override
    public Optional<String> uplink() {
        return Optional.ofNullable(uplink);
    }

    @Override
    public String clusterDnsIp() {
        return clusterDnsIp;
    }

    @Override
    public List<Path> leftovers() {
        return List.of(conntrackFile, aeronDirectory);
    }

    /**
     * Waits until the control plane is quiet (no slice written, no reconciler batch for 500 ms,
     * at least one resynchronisation done), then until the fast path answered every request sent.
     */
    @Override
    public void awaitProgrammed(Duration timeout) throws Exception {
        final long deadline = System.nanoTime() + timeout.toNanos();
        long lastChangeNs = System.nanoTime();
        String seen = "";
        while (System.nanoTime() < deadline) {
            final Reconciler reconciler = slowPath.reconciler();
            final String now = endpointSlices.writes() + "/" + (reconciler == null ? -1 : reconciler.batches());
            if (!now.equals(seen)) {
                seen = now;
                lastChangeNs = System.nanoTime();
            } else if (System.nanoTime() - lastChangeNs > TimeUnit.MILLISECONDS.toNanos(500) && reconciler != null && reconciler.resyncs() > 0) {
                if (agent.slowPathControl().awaitAnswers(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())))) {
                    return;
                }
                break;
            }
            Thread.sleep(50);
        }
        throw new IOException("the fast path's tables were not programmed within " + timeout.toSeconds() + " s");
    }

    /** Stops the parts in reverse: the node agent (slow path first, ports detached), the controllers, the API server. */
    @Override
    public void close() {
        for (AutoCloseable part : parts.reversed()) {
            try {
                part.close();
            } catch (Exception e) {
                System.getLogger(EmbeddedUpAgent.class.getName()).log(System.Logger.Level.WARNING, "stopping " + part.getClass().getSimpleName() + " failed", e);
            }
        }
        parts.clear();
    }
}
