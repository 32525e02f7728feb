package io.isthmus.slowpath.agent;

import io.isthmus.dns.zone.EndpointRecord;
import io.isthmus.dns.zone.EndpointSliceRecord;
import io.isthmus.dns.zone.ServicePort;
import io.isthmus.dns.zone.ServiceRecord;
import io.isthmus.fastpath.control.DesiredKind;
import io.isthmus.fastpath.control.FastpathControl;
import io.isthmus.fastpath.control.aeron.EmbeddedMediaDriver;
import io.isthmus.fastpath.control.compile.NodeSettings;
import io.isthmus.fastpath.pipeline.PortKind;
import io.isthmus.fastpath.runtime.FastpathRuntimeConfig;
import io.isthmus.fastpath.testing.Privileges;
import io.isthmus.fastpath.testing.Shell;
import io.isthmus.slowpath.agent.dns.ClusterDnsConfig;
import io.isthmus.slowpath.agent.dns.FakeTcpUpstream;
import io.isthmus.slowpath.agent.host.HostPortConfig;
import io.isthmus.slowpath.cni.Ipv4Cidr;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.DataInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The node's host port through a whole agent over AF_XDP: a pod added by the real cni-shim and the
 * host (the test JVM, in the host namespace) talk TCP both ways through the fast path (host → pod
 * over the pod CIDR route and proxy ARP; pod → host over the default route); a pod's DNS query over
 * TCP to the cluster DNS address is answered by the agent on the host, also as the retry of a
 * truncated UDP answer; stopping the agent leaves no veth, route or address. Every name (host veth,
 * pod CIDR, node and DNS addresses) is unique to the run; traffic stays between the test's pod and
 * the test's host veth. Root + AF_XDP only (skipped visibly otherwise).
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class AgentHostPortTest {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int MANY_ENDPOINTS = 60;

    @TempDir
    Path dir;
    private final Path conntrack = Path.of("/dev/shm", "isthmus-hostport-test-ct-" + UUID.randomUUID());
    private final int octet = 1 + RANDOM.nextInt(250);
    private final String podCidr = "10.218." + octet + ".0/24";
    private final String nodeIp = "198.18." + octet + ".1";           // benchmarking range: added to our veth only
    private final String dnsIp = "10.97." + octet + ".10";
    private final HostPortConfig hostPort = HostPortConfig.named("ish" + HexFormat.of().formatHex(randomBytes(3)));
    private IsthmusAgent agent;
    private CniNode node;
    private FakeTcpUpstream upstream;

    private static byte[] randomBytes(int count) {
        final byte[] bytes = new byte[count];
        RANDOM.nextBytes(bytes);
        return bytes;
    }

    /** A slow path that publishes a small zone: a headless Service with more endpoints than fit in 512 bytes. */
    static final class ZoneSlowPath implements SlowPath {
        @Override
        public void start(FastpathControl control) {
            control.beginSync(1);
            control.upsert(DesiredKind.DNS_SERVICE, "web/many", ServiceRecord.headless("web", "many",
                    List.of(new ServicePort("http", "TCP", 80)), false));
            final List<EndpointRecord> endpoints = new ArrayList<>();
            for (int i = 0; i < MANY_ENDPOINTS; i++) {
                endpoints.add(new EndpointRecord(List.of(address("10.99.0." + (i + 1))), null, true));
            }
            control.upsert(DesiredKind.DNS_ENDPOINT_SLICE, "web/many-1", new EndpointSliceRecord("web", "many",
                    List.of(new ServicePort("http", "TCP", 80)), endpoints));
            control.endSync(1);
        }

        @Override
        public void stop() {
        }

        private static InetAddress address(String text) {
            return InetAddress.ofLiteral(text);
        }
    }

    @BeforeEach
    void startAgent() throws Exception {
        Privileges.assumeRootAndAfXdp();
        upstream = new FakeTcpUpstream(new InetSocketAddress(InetAddress.ofLiteral("127.53." + octet + "." + (1 + RANDOM.nextInt(250))), 53),
                "192.0.2.77"); // loopback, never the machine's resolver
        final Path resolvConf = Files.writeString(dir.resolve("resolv.conf"), "nameserver " + upstream.address().getAddress().getHostAddress() + "\n");
        final AgentConfig config = new AgentConfig(FastpathRuntimeConfig.small(conntrack), EmbeddedMediaDriver.uniqueDirectory(),
                dir.resolve("run/cni.sock"), dir.resolve("ipam"), Ipv4Cidr.parse(podCidr), -1, Duration.ofSeconds(10),
                NodeSettings.of("node-h", nodeIp), new ClusterDnsConfig(dnsIp, 53, resolvConf), hostPort);
        agent = IsthmusAgent.start(config, new ZoneSlowPath(), new ReconcileLatency());
        node = new CniNode(config.cniSocket());
    }

    @AfterEach
    void stopAgent() throws Exception {
        try {
            if (node != null) {
                node.close();
            }
        } finally {
            try {
                if (agent != null) {
                    agent.close();
                }
            } finally {
                CniNode.removeLink(hostPort.hostIfName()); // only when the agent failed to
                Files.deleteIfExists(conntrack);
                if (upstream != null) {
                    upstream.close();
                }
            }
        }
    }

    @Test
    void hostAndPodTalkTcpBothWaysAndStoppingTheAgentLeavesNothing() throws Exception {
        final CniNode.Container pod = node.add(node.newNetns());
        assertEquals(PortKind.HOST, agent.runtime().ports().attached().stream()
                .filter(p -> p.attachment().hostIfName().equals(hostPort.fastpathIfName())).findFirst().orElseThrow().attachment().kind());
        final Shell.Result route = Shell.run(10, "ip", "-4", "route", "show", podCidr);
        assertTrue(route.output().contains("dev " + hostPort.hostIfName()) && route.output().contains("src " + nodeIp), route.output());

        // host → pod: a listener in the pod, a 1 MiB transfer from the host, the pod sees the node address
        final byte[] payload = randomBytes(1 << 20);
        try (ServerSocket inPod = pod.callInside(() -> new ServerSocket(7500, 4, InetAddress.ofLiteral("0.0.0.0")))) {
            inPod.setSoTimeout(15_000);
            final CompletableFuture<byte[]> received = CompletableFuture.supplyAsync(() -> {
                try (Socket accepted = inPod.accept()) {
                    assertEquals(nodeIp, ((InetSocketAddress) accepted.getRemoteSocketAddress()).getAddress().getHostAddress(),
                            "the pod sees the node as the node address");
                    final byte[] all = new DataInputStream(accepted.getInputStream()).readNBytes(payload.length);
                    accepted.getOutputStream().write(sha256(all));
                    return all;
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            try (Socket fromHost = new Socket()) {
                fromHost.connect(new InetSocketAddress(pod.ip(), 7500), 10_000);
                fromHost.setSoTimeout(15_000);
                fromHost.getOutputStream().write(payload);
                assertArrayEquals(sha256(payload), fromHost.getInputStream().readNBytes(32), "the pod got every byte");
            }
            assertEquals(payload.length, received.get(20, TimeUnit.SECONDS).length);
        }

        // pod → host: a listener on the node address, a connection from the pod through the default route
        try (ServerSocket onHost = new ServerSocket(7501, 4, InetAddress.ofLiteral(nodeIp))) {
            onHost.setSoTimeout(15_000);
            final CompletableFuture<String> peer = CompletableFuture.supplyAsync(() -> {
                try (Socket accepted = onHost.accept()) {
                    accepted.getOutputStream().write(("hello " + accepted.getInetAddress().getHostAddress() + "\n").getBytes());
                    return accepted.getInetAddress().getHostAddress();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            final String greeting = pod.callInside(() -> {
                try (Socket toHost = new Socket()) {
                    toHost.connect(new InetSocketAddress(nodeIp, 7501), 10_000);
                    toHost.setSoTimeout(10_000);
                    final InputStream in = toHost.getInputStream();
                    return new String(in.readAllBytes());
                }
            });
            assertEquals("hello " + pod.ip() + "\n", greeting);
            assertEquals(pod.ip(), peer.get(10, TimeUnit.SECONDS));
        }

        node.close();
        node = null;
        agent.close();
        agent = null;
        for (String link : List.of(hostPort.hostIfName(), hostPort.fastpathIfName())) {
            assertFalse(Shell.run(10, "ip", "link", "show", link).ok(), link + " removed (its XDP link with it)");
        }
        assertEquals("", Shell.run(10, "ip", "-4", "route", "show", podCidr).output().strip(), "the pod CIDR route removed");
        assertFalse(Shell.run(10, "ip", "-4", "addr", "show").output().contains(" " + dnsIp + "/32"), "the DNS address removed");
    }

    @Test
    void aPodsDnsQueryOverTcpIsAnsweredOnTheHostAlsoAfterATruncatedUdpAnswer() throws Exception {
        final CniNode.Container pod = node.add(node.newNetns());
        final String name = "many.web.svc.cluster.local";
        final Shell.Result overTcp = retry(20, r -> r.ok() && lines(r.output()) == MANY_ENDPOINTS,
                () -> pod.exec(20, "dig", "+tcp", "+short", "+tries=1", "+time=3", "@" + dnsIp, name, "A"));
        assertEquals(MANY_ENDPOINTS, lines(overTcp.output()), "every endpoint over TCP: " + overTcp.output());
        assertTrue(overTcp.output().contains("10.99.0.60"), overTcp.output());

        final Shell.Result udpOnly = pod.exec(20, "dig", "+noedns", "+ignore", "+tries=1", "+time=3", "@" + dnsIp, name, "A");
        assertTrue(udpOnly.ok() && udpOnly.output().matches("(?s).*flags:[^;]*\\btc\\b.*"),
                "the inline UDP answer (512 bytes without EDNS) is truncated: " + udpOnly.output());

        final Shell.Result retried = pod.exec(20, "dig", "+noedns", "+tries=1", "+time=3", "@" + dnsIp, name, "A");
        assertTrue(retried.ok() && retried.output().contains("Truncated, retrying in TCP mode"), retried.output());
        assertEquals(MANY_ENDPOINTS, retried.output().lines().filter(l -> l.startsWith(name + ".") && l.contains("\tA\t")).count(),
                "the TCP retry has every record: " + retried.output());

        final Shell.Result outside = pod.exec(20, "dig", "+tcp", "+short", "+tries=1", "+time=5", "@" + dnsIp, "www.example.org", "A");
        assertEquals("192.0.2.77", outside.output().strip(), "a name outside the cluster over TCP, relayed upstream over TCP: " + outside.output());
        assertEquals(1, upstream.queries());
    }

    private static long lines(String text) {
        return text.lines().filter(l -> !l.isBlank()).count();
    }

    private static byte[] sha256(byte[] data) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(data);
    }

    private static Shell.Result retry(int attempts, Predicate<Shell.Result> done, Supplier<Shell.Result> action) throws InterruptedException {
        Shell.Result result = action.get();
        for (int i = 1; i < attempts && !done.test(result); i++) {
            Thread.sleep(250);
            result = action.get();
        }
        return result;
    }
}
