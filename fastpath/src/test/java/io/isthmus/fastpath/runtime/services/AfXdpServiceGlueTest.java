package io.isthmus.fastpath.runtime.services;

import io.isthmus.fastpath.control.DesiredKind;
import io.isthmus.fastpath.control.DesiredStateTables;
import io.isthmus.fastpath.control.PortAttachment;
import io.isthmus.fastpath.control.compile.NodeSettings;
import io.isthmus.fastpath.packet.Ipv4Address;
import io.isthmus.fastpath.packet.MacAddress;
import io.isthmus.fastpath.runtime.FastpathRuntime;
import io.isthmus.fastpath.runtime.FastpathRuntimeConfig;
import io.isthmus.fastpath.runtime.PipelineFactory;
import io.isthmus.fastpath.testing.Pod;
import io.isthmus.fastpath.testing.PodExtension;
import io.isthmus.lb.model.AddressType;
import io.isthmus.lb.model.Endpoint;
import io.isthmus.lb.model.EndpointConditions;
import io.isthmus.lb.model.EndpointPort;
import io.isthmus.lb.model.EndpointSlice;
import io.isthmus.lb.model.Protocol;
import io.isthmus.lb.model.Service;
import io.isthmus.lb.model.ServicePort;
import io.isthmus.lb.model.TargetPort;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Service glue in the product runtime over real AF_XDP ports: pods in network namespaces
 * attached through {@code FastpathControl}, Services and EndpointSlices sent as desired records,
 * compiled by {@link ServiceCompileCycle} on the control agent. A ClientIP Service sends all of a
 * client's connections to one backend (the runtime's own affinity table); a UDP flow whose
 * backend is removed reaches the live backend with its next datagram (same socket, same source
 * port). The pods keep TX checksum offload, TSO and GSO (as the CNI makes them), so partial
 * checksums and TCP super-packets go through Service DNAT. Root + AF_XDP only (skipped visibly by
 * {@link PodExtension}).
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class AfXdpServiceGlueTest {
    static final String VIP = "10.96.214.1";
    static final int CONNECTIONS = 20;

    @RegisterExtension
    final PodExtension pods = new PodExtension();
    private final Path conntrackFile = Path.of("/dev/shm", "isthmus-test-svcglue-e2e-" + UUID.randomUUID());
    private final ServiceCompileCycle cycle = new ServiceCompileCycle();
    private FastpathRuntime runtime;
    private Pod client;
    private final List<Pod> backends = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        if (runtime != null) {
            runtime.close();
        }
        Files.deleteIfExists(conntrackFile);
    }

    private void start(int backendCount) throws Exception {
        client = pods.podWithOffloads("10.214.0.2"); // as the CNI makes pods: partial checksums reach the fast path
        for (int n = 0; n < backendCount; n++) {
            backends.add(pods.podWithOffloads("10.214.0." + (3 + n)));
        }
        runtime = FastpathRuntime.start(FastpathRuntimeConfig.small(conntrackFile).withFlow(NodeFlowSettings.of(null, "10.214.0.0/24")),
                tables -> new DesiredStateTables(tables, NodeSettings.of("node-a", "169.254.1.1")), PipelineFactory.switching(), cycle);
        final List<Pod> all = new ArrayList<>(List.of(client));
        all.addAll(backends);
        for (Pod pod : all) {
            runtime.control().attachPort(new PortAttachment(pod.hostInterface(), Ipv4Address.parse(pod.ip()), MacAddress.parse(pod.mac()),
                    pod.toString())).get(10, TimeUnit.SECONDS);
        }
        for (Pod pod : all) {
            pod.exec(5, "ping", "-c", "1", "-W", "1", Pod.GATEWAY_IP); // the switch learns the pod's MAC
        }
    }

    private void publish(Service service, Protocol protocol, List<Pod> endpoints) throws Exception {
        runtime.control().upsert(DesiredKind.LB_SERVICE, "default/" + service.serviceName().name(), service);
        slice(service.serviceName().name(), protocol, endpoints);
    }

    private void slice(String name, Protocol protocol, List<Pod> endpoints) throws Exception {
        final long compiled = cycle.compilations();
        runtime.control().upsert(DesiredKind.LB_ENDPOINT_SLICE, "default/" + name + "-1", new EndpointSlice("default", name + "-1", name,
                AddressType.IPV4, endpoints.stream().map(p -> Endpoint.of(p.ip(), EndpointConditions.READY, "node-a")).toList(),
                List.of(EndpointPort.of("p", protocol, 8080)), Map.of()));
        // A barrier is answered after the compile of the cycle that applied the slice (ControlAgentTest), so the
        // table the workers read now has its endpoints. (Waiting for the compile count instead raced: a compile of
        // the Service alone, in the cycle before, could bump it while the slice's compile was still running.)
        runtime.control().barrier().get(10, TimeUnit.SECONDS);
        assertTrue(cycle.compilations() > compiled, "the control agent compiled the slice");
    }

    @Test
    void aClientIpServiceSendsEveryConnectionOfTheClientToOneBackend() throws Exception {
        start(3);
        for (Pod backend : backends) {
            final ServerSocket server = pods.closeLater(backend.callInside(() -> new ServerSocket(8080, 64, InetAddress.getByName(backend.ip()))));
            final Thread thread = new Thread(() -> {
                for (int i = 0; i < CONNECTIONS * 2; i++) {
                    try (Socket s = server.accept(); OutputStream out = s.getOutputStream()) {
                        out.write((backend.ip() + "\n").getBytes(StandardCharsets.US_ASCII));
                    } catch (Exception e) {
                        return; // closed at the end of the test
                    }
                }
            }, "backend-" + backend.ip());
            thread.setDaemon(true);
            thread.start();
        }
        publish(Service.builder("default", "sticky").clusterIPs(VIP).sessionAffinityClientIP(10_800)
                .port(new ServicePort("p", Protocol.TCP, 80, TargetPort.of(8080), 0)).build(), Protocol.TCP, backends);
        assertTrue(runtime.affinity() != null, "the runtime made the affinity table");
        final Map<String, Integer> answered = new TreeMap<>();
        for (int i = 0; i < CONNECTIONS; i++) {
            final String backend = client.callInside(() -> {
                try (Socket s = new Socket()) {
                    s.bind(new InetSocketAddress(client.ip(), 0));
                    s.connect(new InetSocketAddress(VIP, 80), 5_000);
                    s.setSoTimeout(5_000);
                    return new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII)).readLine();
                }
            });
            answered.merge(backend, 1, Integer::sum);
        }
        assertEquals(1, answered.size(), "one backend for every connection of " + client.ip() + ": " + answered);
        assertEquals(CONNECTIONS, answered.values().iterator().next());
        assertNull(runtime.workerError());
    }

    @Test
    void aUdpFlowWhoseBackendIsRemovedReachesTheLiveBackendWithItsNextDatagram() throws Exception {
        start(2);
        for (Pod backend : backends) {
            final DatagramSocket server = pods.closeLater(backend.callInside(() -> new DatagramSocket(new InetSocketAddress(backend.ip(), 8080))));
            final Thread echo = new Thread(() -> {
                for (int i = 0; i < 16; i++) {
                    try {
                        final DatagramPacket in = new DatagramPacket(new byte[512], 512);
                        server.receive(in);
                        final byte[] answer = backend.ip().getBytes(StandardCharsets.US_ASCII);
                        server.send(new DatagramPacket(answer, answer.length, in.getSocketAddress()));
                    } catch (Exception e) {
                        return; // closed at the end of the test
                    }
                }
            }, "udp-echo-" + backend.ip());
            echo.setDaemon(true);
            echo.start();
        }
        publish(Service.builder("default", "dns").clusterIPs(VIP).port(new ServicePort("p", Protocol.UDP, 53, TargetPort.of(8080), 0)).build(),
                Protocol.UDP, backends);
        final DatagramSocket socket = pods.closeLater(client.callInside(() -> new DatagramSocket(new InetSocketAddress(client.ip(), 0))));
        socket.setSoTimeout(5_000);
        final String first = ask(socket, "first");
        assertEquals(first, ask(socket, "again"), "the flow keeps its backend");

        final Pod live = backends.get(0).ip().equals(first) ? backends.get(1) : backends.get(0);
        slice("dns", Protocol.UDP, List.of(live));
        assertEquals(1, cycle.flushedUdpEntries(), "the flow's entry was flushed");
        final String after = ask(socket, "after");
        assertNotEquals(first, after);
        assertEquals(live.ip(), after, "the same socket's next datagram reaches the live backend");
        assertNull(runtime.workerError());
    }

    /**
     * A pod that keeps TSO/GSO and checksum offload (as the CNI leaves it) streams 8 MiB to a
     * ClusterIP: its 64 KiB super-packets (partial checksums, kept whole as frame chains) are DNATed
     * and sent on whole, the backend's ACKs and answer un-DNATed; every byte arrives (SHA-256).
     */
    @Test
    void aTcpStreamFromAPodWithOffloadsCrossesTheClusterIpWhole() throws Exception {
        start(1);
        final Pod backend = backends.get(0);
        final int total = 8 * 1024 * 1024;
        final ServerSocket server = pods.closeLater(backend.callInside(() -> new ServerSocket(8080, 4, InetAddress.getByName(backend.ip()))));
        server.setSoTimeout(20_000);
        final Thread sink = new Thread(() -> {
            try (Socket s = server.accept()) {
                final byte[] all = s.getInputStream().readNBytes(total);
                s.getOutputStream().write(java.security.MessageDigest.getInstance("SHA-256").digest(all));
            } catch (Exception e) {
                // the client's assertion says what went wrong
            }
        }, "sha-sink-" + backend.ip());
        sink.setDaemon(true);
        sink.start();
        publish(Service.builder("default", "bulk").clusterIPs(VIP).port(new ServicePort("p", Protocol.TCP, 80, TargetPort.of(8080), 0)).build(),
                Protocol.TCP, backends);
        final byte[] payload = new byte[total];
        new java.util.Random(5).nextBytes(payload);
        final byte[] digest = client.callInside(() -> {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(VIP, 80), 5_000);
                s.setSoTimeout(20_000);
                s.getOutputStream().write(payload);
                return s.getInputStream().readNBytes(32);
            }
        });
        assertEquals(java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(payload)),
                java.util.HexFormat.of().formatHex(digest), "every byte reached the backend through the ClusterIP");
        final int clientSlot = runtime.ports().attached().stream()
                .filter(p -> p.attachment().hostIfName().equals(client.hostInterface())).findFirst().orElseThrow().slot();
        final io.isthmus.fastpath.port.PortCounters fromClient = runtime.worker()
                .call(() -> runtime.worker().port(clientSlot).counters()).get(5, TimeUnit.SECONDS);
        // generic XDP: the pod's TSO super-packets kept whole; native: its GSO segments coalesced back
        assertTrue(fromClient.get(io.isthmus.fastpath.port.PortCounters.Counter.RX_GSO_KEPT_WHOLE)
                + fromClient.get(io.isthmus.fastpath.port.PortCounters.Counter.RX_GRO_MERGED) > 0,
                "the client's TCP went through the Service DNAT as super-packets");
        assertNull(runtime.workerError());
    }

    private static String ask(DatagramSocket socket, String text) throws Exception {
        final byte[] query = text.getBytes(StandardCharsets.US_ASCII);
        socket.send(new DatagramPacket(query, query.length, InetAddress.getByName(VIP), 53));
        final DatagramPacket in = new DatagramPacket(new byte[512], 512);
        socket.receive(in);
        return new String(in.getData(), 0, in.getLength(), StandardCharsets.US_ASCII);
    }
}
