package io.isthmus.cli;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.isthmus.fastpath.testing.Privileges;
import io.isthmus.fastpath.testing.Shell;
import io.isthmus.slowpath.apiserver.EmbeddedApiServer;
import io.isthmus.slowpath.agent.SlowPath;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(value = 120, unit = TimeUnit.SECONDS)
class AgentCommandTest {
    @TempDir
    Path dir;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) throws Exception {
        return new AgentCommand().run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), SlowPath.NONE);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void usageErrorsNameTheirArgument() throws Exception {
        assertEquals(2, run());
        assertTrue(err().contains("--pod-cidr is required") && err().contains("usage: isthmus agent"), err());
        assertEquals(2, run("--pod-cidr", "10.1.0.0/24", "--metrics-port", "99999"));
        assertTrue(err().contains("--metrics-port wants a number in -1..65535, got '99999'"), err());
        assertEquals(2, run("--pod-cidr", "10.1.0.0/24", "--bogus"));
        assertTrue(err().contains("unknown option '--bogus'"), err());
        assertEquals(2, run("--pod-cidr", "nonsense"));
        assertEquals(2, run("--pod-cidr", "10.1.0.0/24", "--cluster-dns", "dns.example"));
        assertTrue(err().contains("cluster DNS address 'dns.example' is not an IPv4 address"), err());
        assertEquals(2, run("--pod-cidr", "10.1.0.0/24", "--uplink", "eth9"));
        assertTrue(err().contains("--uplink eth9 needs --node-ip"), err());
        assertEquals(2, run("--pod-cidr", "10.1.0.0/24", "--uplink-service-cidr", "203.0.113.7"));
        assertTrue(err().contains("need --uplink IFACE"), err());
        assertEquals(2, run("--pod-cidr", "10.1.0.0/24", "--uplink", "eth9", "--node-ip", "192.0.2.10", "--uplink-node-ports", "30000"));
        assertTrue(err().contains("NodePort range '30000' is not MIN-MAX"), err());
        assertEquals(2, run("--pod-cidr", "10.1.0.0/24", "--host-port", "isthmus7"));
        assertTrue(err().contains("--host-port isthmus7 needs --node-ip"), err());
        assertEquals(2, run("--pod-cidr", "10.1.0.0/24", "--node-ip", "192.0.2.10", "--host-port", "a/b"));
        assertTrue(err().contains("the host port's host end 'a/b' is not an interface name"), err());
        assertEquals(2, run("--pod-cidr", "10.1.0.0/24", "--ingress", "80:443"));
        assertTrue(err().contains("--ingress 80:443 needs --kubeconfig or --in-cluster"), err());
        assertEquals(2, run("--pod-cidr", "10.1.0.0/24", "--in-cluster", "--ingress", "80"));
        assertTrue(err().contains("--ingress wants HTTP:HTTPS ports"), err());
        assertEquals(0, run("--help"));
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("usage: isthmus agent"));
    }

    @Test
    void theUplinkFlagAttachesTheSteeringProgramOnEveryRxQueueForTheAgentsLifetime() throws Exception {
        Privileges.assumeRootAndAfXdp();
        final Path conntrack = Path.of("/dev/shm", "isthmus-agent-cmd-ct-" + UUID.randomUUID());
        // a 4-queue veth whose other end is in a namespace of its own stands in for a multi-queue NIC: no address,
        // nothing of the host's
        final String hex = UUID.randomUUID().toString().substring(0, 6);
        final String outsideNs = "isxa-" + hex;
        final String uplink = "isxa" + hex;
        Shell.check("ip", "netns", "add", outsideNs);
        try {
            Shell.check("ip", "link", "add", uplink, "numtxqueues", "4", "numrxqueues", "4", "type", "veth",
                    "peer", "name", "eth0", "numtxqueues", "4", "numrxqueues", "4", "netns", outsideNs);
            Shell.check("ip", "link", "set", uplink, "up");
            Shell.check("ip", "-n", outsideNs, "link", "set", "eth0", "up");
            final AtomicReference<Integer> exit = new AtomicReference<>();
            final Thread agent = Thread.ofPlatform().start(() -> {
                try {
                    exit.set(run("--pod-cidr", "10.216.0.0/24", "--cni-socket", dir.resolve("cni.sock").toString(),
                            "--ipam-dir", dir.resolve("ipam").toString(), "--conntrack", conntrack.toString(), "--metrics-port", "0",
                            "--duration", "4", "--cluster-dns", "none", "--node-ip", "192.0.2.10", "--host-port", "none",
                            "--uplink", uplink, "--uplink-service-cidr", "203.0.113.0/28"));
                } catch (Exception e) {
                    exit.set(-1);
                }
            });
            final HttpClient http = HttpClient.newHttpClient();
            String metrics = "";
            final String uplinkSample = "interface=\"" + uplink + "\"";
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30); // a loaded machine starts the agent slowly
            while (System.nanoTime() < deadline && !metrics.contains(uplinkSample) && agent.isAlive()) {
                Thread.sleep(200);
                final Matcher url = Pattern.compile("metrics (http://127\\.0\\.0\\.1:\\d+/metrics)").matcher(out.toString(StandardCharsets.UTF_8));
                if (url.find() && out.toString(StandardCharsets.UTF_8).contains("uplink ")) {
                    metrics = http.send(HttpRequest.newBuilder(URI.create(url.group(1))).build(), HttpResponse.BodyHandlers.ofString()).body();
                }
            }
            agent.join(TimeUnit.SECONDS.toMillis(30));
            assertEquals(0, exit.get(), err());
            final String printed = out.toString(StandardCharsets.UTF_8);
            assertTrue(printed.contains("uplink " + uplink + ": XDP native, AF_XDP"), printed);
            assertTrue(printed.contains(", 4 RX queues in slots "), "a socket on each RX queue: " + printed);
            assertTrue(printed.contains("NodePorts 30000-32767 on [192.0.2.10], service CIDRs [203.0.113.0/28]"), printed);
            assertTrue(metrics.contains("isthmus_port_rx_packets_total{" + uplinkSample), "the uplink's counters are exported:\n" + metrics);
            for (int queue = 0; queue < 4; queue++) {
                assertTrue(Pattern.compile("isthmus_port_rx_packets_total\\{" + Pattern.quote(uplinkSample)
                        + ",pod=\"\",slot=\"\\d+\",queue=\"" + queue + "\"}").matcher(metrics).find(), "queue " + queue + ":\n" + metrics);
            }
            assertTrue(Pattern.compile("uplink queues: " + uplink + " q0 rx=\\d+ tx=\\d+, q1 .*, q3 rx=\\d+ tx=\\d+").matcher(printed).find(),
                    printed);
            assertFalse(Shell.check("ip", "-o", "link", "show", uplink).contains("prog/xdp"),
                    "the agent detached the steering program when it stopped");
        } finally {
            Shell.run(30, "ip", "netns", "del", outsideNs); // deletes the veth, both ends
            Files.deleteIfExists(conntrack);
        }
    }

    @Test
    void theAgentRunsForItsDurationAndCleansUp() throws Exception {
        Privileges.assumeRootAndAfXdp();
        final Path conntrack = Path.of("/dev/shm", "isthmus-agent-cmd-ct-" + UUID.randomUUID());
        final Path aeron = Path.of("/dev/shm", "isthmus-agent-cmd-aeron-" + UUID.randomUUID());
        try {
            assertEquals(0, run("--pod-cidr", "10.216.0.0/24", "--cni-socket", dir.resolve("cni.sock").toString(),
                    "--ipam-dir", dir.resolve("ipam").toString(), "--conntrack", conntrack.toString(),
                    "--aeron-dir", aeron.toString(), "--metrics-port", "0", "--duration", "2",
                    // the cluster DNS forwarder starts too: its upstream is a loopback address nothing asks, never the machine's resolver
                    "--dns-upstreams", Files.writeString(dir.resolve("upstreams.conf"), "nameserver 127.53.0.1\n").toString()), err());
            final String printed = out.toString(StandardCharsets.UTF_8);
            assertTrue(printed.contains("isthmus agent running: pods from 10.216.0.0/24, CNI socket " + dir.resolve("cni.sock")), printed);
            assertTrue(printed.contains("metrics http://127.0.0.1:"), printed);
            assertTrue(printed.contains("stopped: ports detached"), printed);
            assertFalse(Files.exists(dir.resolve("cni.sock")), "the CNI socket is removed");
            assertFalse(Files.exists(aeron), "the control channel's directory is removed");
            assertTrue(Files.exists(conntrack), "the conntrack table stays for the next agent");
        } finally {
            Files.deleteIfExists(conntrack);
        }
    }

    @Test
    void withAKubeconfigTheAgentCompilesTheApiServersServicesIntoItsFastPath() throws Exception {
        Privileges.assumeRootAndAfXdp();
        final Path conntrack = Path.of("/dev/shm", "isthmus-agent-cmd-ct-" + UUID.randomUUID());
        final Path aeron = Path.of("/dev/shm", "isthmus-agent-cmd-aeron-" + UUID.randomUUID());
        try (EmbeddedApiServer api = EmbeddedApiServer.start(0, List.of())) {
            api.create(new ServiceBuilder().withNewMetadata().withName("echo").withNamespace("default").endMetadata()
                    .withNewSpec().withClusterIP("10.96.7.7").withClusterIPs("10.96.7.7").withType("ClusterIP")
                    .addNewPort().withName("http").withProtocol("TCP").withPort(80).withTargetPort(new IntOrString(8080)).endPort()
                    .endSpec().build());
            final Path kubeconfig = api.writeKubeconfig(dir.resolve("kubeconfig"));
            final int httpPort = freePort();
            final int httpsPort = freePort();
            final AtomicReference<Integer> exit = new AtomicReference<>();
            final Thread agent = Thread.ofPlatform().start(() -> {
                try {
                    exit.set(run("--pod-cidr", "10.217.0.0/24", "--cni-socket", dir.resolve("cni.sock").toString(),
                            "--ipam-dir", dir.resolve("ipam").toString(), "--conntrack", conntrack.toString(),
                            "--aeron-dir", aeron.toString(), "--metrics-port", "0", "--duration", "20",
                            "--kubeconfig", kubeconfig.toString(), "--node-name", "node-a",
                            "--ingress", httpPort + ":" + httpsPort));
                } catch (Exception e) {
                    exit.set(-1);
                }
            });
            final HttpClient http = HttpClient.newHttpClient();
            String metrics = "";
            int ingressStatus = 0;
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60); // a loaded machine starts the agent slowly
            while (System.nanoTime() < deadline && (ingressStatus == 0 || !metrics.contains("isthmus_service_frontends 1"))
                    && agent.isAlive()) {
                Thread.sleep(200);
                final String printed = out.toString(StandardCharsets.UTF_8);
                if (ingressStatus == 0 && printed.contains("Ctrl-C or SIGTERM stops it")) {
                    // asked while the agent surely runs: the Ingress proxy beside it, fed by the same API server,
                    // has no matching Ingress, so 404
                    ingressStatus = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/"))
                            .build(), HttpResponse.BodyHandlers.discarding()).statusCode();
                }
                final Matcher url = Pattern.compile("metrics (http://127\\.0\\.0\\.1:\\d+/metrics)").matcher(printed);
                if (url.find()) {
                    metrics = http.send(HttpRequest.newBuilder(URI.create(url.group(1))).build(), HttpResponse.BodyHandlers.ofString()).body();
                }
            }
            agent.join(TimeUnit.SECONDS.toMillis(45));
            assertTrue(out.toString(StandardCharsets.UTF_8).contains("ingress proxy on HTTP :" + httpPort), out.toString(StandardCharsets.UTF_8));
            assertEquals(404, ingressStatus, "the agent's Ingress proxy answers");
            assertTrue(metrics.contains("isthmus_services 1"), "the slow path announced the Service:\n" + metrics + err());
            assertTrue(metrics.contains("isthmus_service_frontends 1"), "the fast path's table serves its ClusterIP:\n" + metrics);
            assertEquals(0, exit.get(), err());
        } finally {
            Files.deleteIfExists(conntrack);
        }
    }

    @Test
    void aMissingKubeconfigIsABadArgument() throws Exception {
        assertEquals(2, run("--pod-cidr", "10.1.0.0/24", "--kubeconfig", dir.resolve("absent").toString()));
        assertTrue(err().contains("kubeconfig " + dir.resolve("absent") + " does not exist or cannot be read"), err());
        assertEquals(2, run("--pod-cidr", "10.1.0.0/24", "--kubeconfig", dir.resolve("absent").toString(), "--in-cluster"));
        assertTrue(err().contains("--kubeconfig and --in-cluster exclude each other"), err());
    }

    private static int freePort() throws java.io.IOException {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
