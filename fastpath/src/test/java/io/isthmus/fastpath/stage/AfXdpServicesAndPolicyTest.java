package io.isthmus.fastpath.stage;

import io.isthmus.fastpath.packet.Ipv4Address;
import io.isthmus.fastpath.packet.MacAddress;
import io.isthmus.fastpath.pipeline.DropReason;
import io.isthmus.fastpath.pipeline.RouteTable;
import io.isthmus.fastpath.port.Port;
import io.isthmus.fastpath.testing.FlowTables;
import io.isthmus.fastpath.testing.Pod;
import io.isthmus.fastpath.testing.PodExtension;
import io.isthmus.fastpath.worker.IdleMode;
import io.isthmus.fastpath.worker.Worker;
import io.isthmus.fastpath.worker.WorkerRunner;
import io.isthmus.fastpath.xsk.AfXdpPortSet;
import io.isthmus.fastpath.xsk.XskConfig;
import io.isthmus.lb.model.Protocol;
import io.isthmus.policy.compile.PolicyCompiler;
import io.isthmus.policy.model.Direction;
import io.isthmus.policy.model.IpAddress;
import io.isthmus.policy.model.LabelSelector;
import io.isthmus.policy.model.NamespaceInfo;
import io.isthmus.policy.model.PodInfo;
import io.isthmus.policy.model.Policy;
import io.isthmus.policy.model.PolicyPeer;
import io.isthmus.policy.model.PolicyPort;
import io.isthmus.policy.model.PolicyRule;
import org.agrona.concurrent.SystemNanoClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Services and NetworkPolicy end to end: real pods (network namespaces with their own kernels)
 * switched by a worker running the full pipeline over AF_XDP ports, with tables compiled from the
 * libraries' model records. A client pod, three backend pods and an intruder pod; a ClusterIP with
 * the three backends, one without endpoints, a UDP ClusterIP. Root + AF_XDP only (skipped visibly
 * otherwise).
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class AfXdpServicesAndPolicyTest {
    static final String WEB_VIP = "10.96.212.1";
    static final String EMPTY_VIP = "10.96.212.2";
    static final String DNS_VIP = "10.96.212.3";
    static final int CONNECTIONS = 300;

    @RegisterExtension
    final PodExtension pods = new PodExtension();

    private Pod client;
    private final List<Pod> backends = new ArrayList<>();
    private Pod intruder;
    private FlowTables flow;
    private Worker worker;
    private WorkerRunner runner;

    /** Five pods, the tables, and a worker over their AF_XDP ports. */
    private void start(boolean withPolicy) throws Exception {
        client = pods.pod("10.212.0.2");
        for (int n = 0; n < 3; n++) {
            backends.add(pods.pod("10.212.0." + (3 + n)));
        }
        intruder = pods.pod("10.212.0.9");
        final List<Pod> all = new ArrayList<>(List.of(client));
        all.addAll(backends);
        all.add(intruder);
        final RouteTable.Builder routes = RouteTable.builder(1);
        for (int id = 0; id < all.size(); id++) {
            routes.port(id, MacAddress.parse(Files.readString(Path.of("/sys/class/net", all.get(id).hostInterface(), "address")).strip()),
                    Ipv4Address.parse(all.get(id).ip()));
        }
        flow = new FlowTables(routes.build());
        flow.clusterIpService("web", WEB_VIP, Protocol.TCP, 80, 8080, backends.get(0).ip(), backends.get(1).ip(), backends.get(2).ip());
        flow.clusterIpService("empty", EMPTY_VIP, Protocol.TCP, 80, 8080);
        flow.clusterIpService("dns", DNS_VIP, Protocol.UDP, 53, 5353, backends.get(0).ip());
        if (withPolicy) {
            final PolicyCompiler compiler = new PolicyCompiler();
            compiler.putNamespace(NamespaceInfo.of("default", Map.of()));
            compiler.putPod(podInfo("client", client, "client"));
            for (int n = 0; n < backends.size(); n++) {
                compiler.putPod(podInfo("backend-" + n, backends.get(n), "server"));
            }
            compiler.putPod(podInfo("intruder", intruder, "intruder"));
            compiler.putPolicy(new Policy("default", "default-deny", LabelSelector.ALL, EnumSet.of(Direction.INGRESS), List.of(), List.of()));
            compiler.putPolicy(new Policy("default", "allow-client-to-server", LabelSelector.ofLabels(Map.of("app", "server")),
                    EnumSet.of(Direction.INGRESS), List.of(new PolicyRule(List.of(PolicyPeer.pods(LabelSelector.ofLabels(Map.of("app", "client")))),
                    List.of(PolicyPort.number(io.isthmus.policy.model.Protocol.TCP, 8080)))), List.of()));
            flow.policy(compiler);
        }
        final AfXdpPortSet ports = pods.closeLater(AfXdpPortSet.open(all.stream().map(Pod::hostInterface).toList(), XskConfig.defaults()));
        worker = Worker.switching("flow-e2e", ports.asPorts().toArray(Port[]::new), ports.pool(), flow.tables(), flow.conntrack(),
                flow.settings(), new SystemNanoClock());
        runner = pods.closeLater(WorkerRunner.start(worker, IdleMode.BACKOFF));
        // Every pod resolves its gateway (an ARP the switch answers), which teaches the switch its MAC,
        // so no first packet is lost to NEIGHBOR_UNKNOWN. The ping itself gets no answer.
        for (Pod pod : all) {
            pod.exec(5, "ping", "-c", "1", "-W", "1", Pod.GATEWAY_IP);
        }
    }

    private static PodInfo podInfo(String name, Pod pod, String app) {
        return new PodInfo("default", name, Map.of("app", app), List.of(IpAddress.parse(pod.ip())), List.of(), true);
    }

    /** Each backend answers every connection with "its ip, the peer ip it sees" and closes. */
    private List<ServerSocket> serveNames(AtomicBoolean stop) throws Exception {
        final List<ServerSocket> servers = new ArrayList<>();
        for (Pod backend : backends) {
            final ServerSocket server = pods.closeLater(backend.callInside(() -> new ServerSocket(8080, 512, InetAddress.getByName(backend.ip()))));
            servers.add(server);
            final Thread thread = new Thread(() -> {
                while (!stop.get()) {
                    try (Socket s = server.accept(); OutputStream out = s.getOutputStream()) {
                        out.write((backend.ip() + " " + s.getInetAddress().getHostAddress() + "\n").getBytes(StandardCharsets.US_ASCII));
                    } catch (Exception e) {
                        return; // closed at the end of the test
                    }
                }
            }, "backend-" + backend.ip());
            thread.setDaemon(true);
            thread.start();
        }
        return servers;
    }

    private String diagnostics() {
        return "drops: " + worker.drops().describe() + "; conntrack " + flow.conntrack().size() + " connections"
                + (runner.firstError() == null ? "" : "; worker error: " + runner.firstError());
    }

    @Test
    void connectionsToAClusterIpSpreadEvenlyOverThreeBackendsWhichSeeTheClientAddress() throws Exception {
        start(false);
        final AtomicBoolean stop = new AtomicBoolean();
        serveNames(stop);
        final Map<String, Integer> perBackend = client.callInside(() -> {
            final Map<String, Integer> counts = new TreeMap<>();
            for (int n = 0; n < CONNECTIONS; n++) {
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress(WEB_VIP, 80), 5_000);
                    s.setSoTimeout(5_000);
                    final String line = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII)).readLine();
                    counts.merge(line, 1, Integer::sum);
                } catch (Exception e) {
                    throw new AssertionError("connection " + n + " to " + WEB_VIP + ":80 failed: " + e + "; " + diagnostics(), e);
                }
            }
            return counts;
        });
        stop.set(true);
        System.out.println("connections per (backend, peer address it saw): " + perBackend);
        assertEquals(3, perBackend.size(), perBackend.toString());
        final double even = CONNECTIONS / 3.0;
        for (Pod backend : backends) {
            final int count = perBackend.getOrDefault(backend.ip() + " " + client.ip(), 0);
            assertTrue(count >= even * 0.75 && count <= even * 1.25,
                    "backend " + backend.ip() + " got " + count + " of " + CONNECTIONS + " (seeing the client's pod IP): " + perBackend);
        }
        assertNull(runner.firstError());
    }

    @Test
    void aServiceWithoutEndpointsRefusesAtOnce() throws Exception {
        start(false);
        final long elapsedNs = client.callInside(() -> {
            final long begin = System.nanoTime();
            try (Socket s = new Socket()) {
                assertThrows(ConnectException.class, () -> s.connect(new InetSocketAddress(EMPTY_VIP, 80), 5_000), diagnostics());
            }
            return System.nanoTime() - begin;
        });
        System.out.println("refused after " + elapsedNs / 1_000 + " us");
        assertTrue(elapsedNs < 500_000_000L, "refused after " + elapsedNs / 1_000_000 + " ms; " + diagnostics());
        assertEquals(1, worker.drops().get(DropReason.SERVICE_REJECTED), diagnostics());
    }

    @Test
    void udpToAClusterIpWorksBothWays() throws Exception {
        start(false);
        final Pod backend = backends.get(0);
        try (DatagramSocket server = backend.callInside(() -> new DatagramSocket(new InetSocketAddress(backend.ip(), 5353)))) {
            server.setSoTimeout(20_000);
            final Thread echo = new Thread(() -> {
                try {
                    final DatagramPacket in = new DatagramPacket(new byte[512], 512);
                    server.receive(in);
                    final byte[] answer = ("answer to " + new String(in.getData(), 0, in.getLength(), StandardCharsets.US_ASCII)
                            + " from " + in.getAddress().getHostAddress()).getBytes(StandardCharsets.US_ASCII);
                    server.send(new DatagramPacket(answer, answer.length, in.getSocketAddress()));
                } catch (Exception e) {
                    // the client's assertion reports it
                }
            }, "udp-echo");
            echo.setDaemon(true);
            echo.start();
            final String reply = client.callInside(() -> {
                try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(client.ip(), 0))) {
                    socket.setSoTimeout(5_000);
                    final byte[] query = "query".getBytes(StandardCharsets.US_ASCII);
                    socket.send(new DatagramPacket(query, query.length, InetAddress.getByName(DNS_VIP), 53));
                    final DatagramPacket in = new DatagramPacket(new byte[512], 512);
                    try {
                        socket.receive(in);
                    } catch (SocketTimeoutException e) {
                        throw new AssertionError("no UDP answer; " + diagnostics(), e);
                    }
                    return new String(in.getData(), 0, in.getLength(), StandardCharsets.US_ASCII) + " via "
                            + in.getAddress().getHostAddress() + ":" + in.getPort();
                }
            });
            assertEquals("answer to query from " + client.ip() + " via " + DNS_VIP + ":53", reply);
        }
    }

    @Test
    void defaultDenyWithOneAllowIsEnforced() throws Exception {
        start(true);
        final AtomicBoolean stop = new AtomicBoolean();
        serveNames(stop);
        final Pod server = backends.get(1);
        // Allowed: client -> server, directly and through the Service; the replies flow back.
        final String direct = client.callInside(() -> firstLine(server.ip(), 8080, 5_000));
        assertEquals(server.ip() + " " + client.ip(), direct, diagnostics());
        final String viaService = client.callInside(() -> firstLine(WEB_VIP, 80, 5_000));
        assertTrue(viaService.endsWith(" " + client.ip()), viaService);
        // Denied: intruder -> server (directly and through the Service), server -> client (client isolated too).
        for (String[] target : new String[][] {{server.ip(), "8080"}, {WEB_VIP, "80"}}) {
            assertThrows(SocketTimeoutException.class,
                    () -> intruder.callInside(() -> firstLine(target[0], Integer.parseInt(target[1]), 1_500)),
                    "intruder reached " + target[0] + "; " + diagnostics());
        }
        try (ServerSocket clientServer = pods.closeLater(client.callInside(() -> new ServerSocket(9090, 4, InetAddress.getByName(client.ip()))))) {
            assertThrows(SocketTimeoutException.class, () -> server.callInside(() -> firstLine(client.ip(), 9090, 1_500)));
        }
        stop.set(true);
        assertTrue(worker.drops().get(DropReason.POLICY_DENIED) >= 3, diagnostics());
    }

    private static String firstLine(String host, int port, int timeoutMs) throws Exception {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), timeoutMs);
            s.setSoTimeout(timeoutMs);
            return new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII)).readLine();
        }
    }
}
