package io.isthmus.slowpath.agent;

import io.isthmus.fastpath.control.DesiredKind;
import io.isthmus.fastpath.control.FastpathControl;
import io.isthmus.fastpath.control.aeron.EmbeddedMediaDriver;
import io.isthmus.fastpath.control.DesiredStateTables;
import io.isthmus.fastpath.control.compile.NodeSettings;
import io.isthmus.lb.model.Protocol;
import io.isthmus.lb.model.Service;
import io.isthmus.lb.model.ServiceName;
import io.isthmus.lb.model.ServicePort;
import io.isthmus.lb.model.ServiceType;
import io.isthmus.lb.model.TargetPort;
import io.isthmus.fastpath.runtime.FastpathRuntimeConfig;
import io.isthmus.fastpath.runtime.TcpStream;
import io.isthmus.fastpath.testing.Privileges;
import io.isthmus.fastpath.testing.Shell;
import io.isthmus.policy.model.NamespaceInfo;
import io.isthmus.slowpath.cni.Ipv4Cidr;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code isthmus agent} end to end: pods added by the REAL cni-shim (run as a process, as a
 * container runtime runs it) talk through the fast path; ADD/DEL cycles leave nothing behind; a
 * slow-path restart does not interrupt an established TCP stream; /metrics shows it all. Root +
 * AF_XDP only (skipped visibly otherwise).
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class AgentTest {
    @TempDir
    Path dir;
    private final Path conntrack = Path.of("/dev/shm", "isthmus-agent-test-ct-" + UUID.randomUUID());
    private final ResyncingSlowPath slowPath = new ResyncingSlowPath();
    private IsthmusAgent agent;
    private AgentConfig config;
    private CniNode node;

    /** A slow path that, on every start, resynchronises one namespace record under a new epoch. */
    static final class ResyncingSlowPath implements SlowPath {
        final AtomicLong epoch = new AtomicLong();
        final List<FastpathControl> connections = new CopyOnWriteArrayList<>();

        @Override
        public void start(FastpathControl control) {
            connections.add(control);
            final long e = epoch.incrementAndGet();
            control.beginSync(e);
            control.upsert(DesiredKind.POLICY_NAMESPACE, "ns-" + e, NamespaceInfo.of("ns-" + e, Map.of()));
            control.endSync(e);
        }

        @Override
        public void stop() {
        }
    }

    @BeforeEach
    void startAgent() throws Exception {
        Privileges.assumeRootAndAfXdp();
        config = new AgentConfig(FastpathRuntimeConfig.small(conntrack), EmbeddedMediaDriver.uniqueDirectory(),
                dir.resolve("run/cni.sock"), dir.resolve("ipam"), Ipv4Cidr.parse("10.214.0.0/24"), 0, Duration.ofSeconds(10),
                NodeSettings.of("node-a", "192.0.2.10"));
        agent = IsthmusAgent.start(config, slowPath, new ReconcileLatency());
        node = new CniNode(config.cniSocket());
    }

    @AfterEach
    void stopAgent() throws Exception {
        try {
            if (node != null) {
                node.close();
            }
        } finally {
            if (agent != null) {
                agent.close();
                assertFalse(Files.exists(agent.fastpath().aeronDirectory()), "the media driver's directory is deleted");
            }
            Files.deleteIfExists(conntrack);
        }
    }

    @Test
    void twoPodsAddedThroughTheShimTalkThroughTheFastPath() throws Exception {
        final CniNode.Container a = node.add(node.newNetns());
        final CniNode.Container b = node.add(node.newNetns());
        assertEquals(2, agent.runtime().ports().attached().size());
        final Shell.Result ping = a.exec(30, "ping", "-c", "3", "-W", "2", b.ip());
        assertTrue(ping.ok(), ping.output());
        try (TcpStream stream = TcpStream.start(a, b, 7400)) {
            stream.awaitReceived(512 * 1024, 30);
            stream.assertWhole();
        }
        final String metrics = scrape();
        assertTrue(metrics.contains("isthmus_port_rx_packets_total{interface=\"" + a.hostIfName() + "\""), metrics);
        assertTrue(metrics.contains("isthmus_ports_attached 2"), metrics);
        assertTrue(metrics.contains("# TYPE isthmus_drops_total counter"), metrics);
        assertTrue(metrics.contains("isthmus_conntrack_capacity 16384"), metrics);
        assertTrue(metrics.contains("isthmus_desired_records{kind=\"policy_namespace\"} 1"), metrics);
        assertTrue(metrics.contains("isthmus_reconcile_latency_seconds_count 0"), metrics);
        agent.reconcileLatency().record(3_000_000);
        agent.slowPathControl().upsert(DesiredKind.LB_SERVICE, "shop/web", new Service(new ServiceName("shop", "web"),
                ServiceType.CLUSTER_IP, List.of("10.96.7.7"), List.of(new ServicePort("http", Protocol.TCP, 80,
                new TargetPort.Number(8080), 0)), null, null, null, 0, null, null, 0, null, null, true));
        assertTrue(agent.slowPathControl().awaitAnswers(Duration.ofSeconds(10)));
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (agent.runtime().tables().services().current() == null) {
            assertTrue(System.nanoTime() < deadline, "the Service was never compiled into a published table");
            Thread.sleep(20);
        }
        assertTrue(scrape().contains("isthmus_service_frontends 1"), "the compiled ServiceTable has the frontend");
        final String later = scrape();
        assertTrue(later.contains("isthmus_reconcile_latency_seconds_bucket{le=\"0.005\"} 1"), later);
        assertTrue(later.contains("isthmus_services 1"), later);
        assertNull(agent.runtime().workerError());
    }

    @Test
    void aRestartedAgentReattachesThePodsOfTheEarlierOne_theyTalkAgainWithoutANewAdd() throws Exception {
        final CniNode.Container a = node.add(node.newNetns());
        final CniNode.Container b = node.add(node.newNetns());
        assertTrue(a.exec(30, "ping", "-c", "2", "-W", "2", b.ip()).ok());

        agent.close(); // the veths, addresses and IPAM records stay, as when an agent is upgraded or crashes
        agent = null;
        final Shell.Result cut = a.exec(10, "ping", "-c", "1", "-W", "1", b.ip());
        assertFalse(cut.ok(), "nothing switches the pods while no agent runs: " + cut.output());

        agent = IsthmusAgent.start(config, slowPath, new ReconcileLatency());
        assertEquals(2, agent.runtime().ports().attached().size(), "both pods' host veths are attached again");
        final Shell.Result again = a.exec(30, "ping", "-c", "3", "-W", "2", b.ip());
        assertTrue(again.ok(), "the pods talk again without a new CNI ADD: " + again.output());
        try (TcpStream stream = TcpStream.start(a, b, 7401)) {
            stream.awaitReceived(256 * 1024, 30);
            stream.assertWhole();
        }
        assertNull(agent.runtime().workerError());
    }

    @Test
    void fiftyAddDelCyclesLeaveNothingBehind() throws Exception {
        final String netns = node.newNetns();
        final java.util.Set<String> hostEnds = new java.util.HashSet<>();
        for (int cycle = 0; cycle < 50; cycle++) {
            final CniNode.Container pod = node.add(netns);
            hostEnds.add(pod.hostIfName());
            if (cycle % 10 == 0) {
                assertTrue(Shell.check("ip", "-o", "link", "show", pod.hostIfName()).contains("xdp"),
                        "cycle " + cycle + ": the pod's host end runs the XDP program");
            }
            node.delete(pod);
            assertFalse(Shell.run(10, "ip", "link", "show", pod.hostIfName()).ok(), "cycle " + cycle + ": host end removed");
        }
        assertTrue(agent.runtime().ports().attached().isEmpty(), "no port attached");
        assertEquals(agent.runtime().portFactory().pool().capacity(),
                (int) agent.runtime().worker().call(agent.runtime().portFactory().pool()::available).get(5, TimeUnit.SECONDS),
                "every UMEM frame is back in the pool");
        try (Stream<Path> left = Files.list(dir.resolve("ipam").resolve(CniNode.NETWORK))) {
            assertEquals(List.of(), left.filter(p -> p.getFileName().toString().startsWith("10.")).toList(), "no address allocated");
        }
        final String links = Shell.check("ip", "-n", netns, "-o", "link");
        assertFalse(links.contains("eth0"), "no pod interface left in the namespace: " + links);
        // other tests on this machine may have their own isx interfaces: look at ours only
        final List<String> left = Shell.check("ip", "-o", "link").lines()
                .filter(line -> hostEnds.stream().anyMatch(name -> line.contains(" " + name + ":") || line.contains(" " + name + "@")))
                .toList();
        assertEquals(List.of(), left, "no host end (and so no XDP attachment) of the 50 pods is left");
    }

    @Test
    void aSlowPathRestartDoesNotInterruptAnEstablishedStream() throws Exception {
        final CniNode.Container a = node.add(node.newNetns());
        final CniNode.Container b = node.add(node.newNetns());
        final DesiredStateTables desired = (DesiredStateTables) agent.runtime().desired();
        try (TcpStream stream = TcpStream.start(a, b, 7401)) {
            stream.awaitReceived(128 * 1024, 30);
            for (int restart = 1; restart <= 3; restart++) {
                final long before = stream.receivedBytes();
                agent.restartSlowPath();
                assertTrue(agent.slowPathControl().awaitAnswers(Duration.ofSeconds(10)));
                final String namespace = "ns-" + (restart + 1);
                assertEquals(NamespaceInfo.of(namespace, Map.of()), desired.record(DesiredKind.POLICY_NAMESPACE, namespace),
                        "the restarted slow path resynchronised");
                assertEquals(1, desired.recordCount(DesiredKind.POLICY_NAMESPACE), "the resync removed the old records");
                stream.awaitReceived(before + 128 * 1024, 30);
            }
            stream.assertWhole();
        }
        assertEquals(4, slowPath.connections.size());
        assertEquals(2, agent.runtime().ports().attached().size(), "the pods stayed attached");
    }

    private String scrape() throws Exception {
        try (HttpClient http = HttpClient.newHttpClient()) {
            final HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + agent.metrics().port() + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, response.statusCode());
            assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("text/plain; version=0.0.4"));
            return response.body();
        }
    }
}
