package io.isthmus.fastpath.uplink;

import io.isthmus.fastpath.testing.Privileges;
import io.isthmus.fastpath.testing.Shell;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * External → NodePort end to end over real AF_XDP ports (root + AF_XDP; skipped visibly
 * otherwise). A {@link NodeTopology}: an "outside" namespace whose veth to the "node" namespace is
 * the node's uplink, three backend pods wired to the node namespace. The fast path runs in a child
 * JVM inside the node namespace ({@link UplinkNodeProcess}: {@code ip netns exec}, because the
 * runtime reads interface MACs from /sys/class/net, which only a process with the node's own sysfs
 * mount sees right; a setns'd thread would see the host's).
 *
 * <p>The uplink veth has {@value #UPLINK_QUEUES} queues: the outside's kernel puts each connection
 * on one by its hash, and the fast path has a socket on each; the per-queue counters must show
 * frames received (and replies sent) on more than one.
 *
 * <p>From the outside namespace, TCP connections to node-address:NodePort are answered by the
 * backends (all three used), and so are connections to the Service's externalIP (port 80): with externalTrafficPolicy Cluster the backends see the node address,
 * with Local the client's; Local with no endpoint on this node drops. The node address's other
 * ports (a kernel listener) and ICMP echo are still answered by the node's kernel: the uplink's
 * program leaves them to the host, and so does a port of the NodePort range marked as the host's
 * ({@code UplinkPort.kernelPorts}, where the agent puts the health-check node ports).
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class AfXdpUplinkNodePortTest {
    static final String NODE_IP = "192.168.77.10";
    static final String CLIENT_IP = "192.168.77.1";
    /** An externalIP of the Service: on the node's uplink (the kernel answers ARP for it), steered as compiled. */
    static final String EXTERNAL_IP = "192.168.77.50";
    static final List<String> POD_IPS = List.of("10.215.0.2", "10.215.0.3", "10.215.0.4");
    static final int NODE_PORT = 30080;
    static final int KERNEL_LISTENER_PORT = 8081;
    static final int CONNECTIONS = 30;
    /** RX (and TX) queues of the uplink veth: the fast path must serve every one (one AF_XDP socket each). */
    static final int UPLINK_QUEUES = 4;

    @Test
    void outsideClientsReachANodePortThroughTheUplinkAndTheHostKeepsTheRest() throws Exception {
        Privileges.assumeRootAndAfXdp();
        final List<ServerSocket> servers = new ArrayList<>();
        try (NodeTopology node = new NodeTopology(NODE_IP, CLIENT_IP, "24", POD_IPS, UPLINK_QUEUES)) {
            for (int i = 0; i < POD_IPS.size(); i++) {
                final String ip = POD_IPS.get(i);
                final ServerSocket server = NodeTopology.callIn(node.podNs.get(i),
                        () -> new ServerSocket(UplinkNodeProcess.TARGET_PORT, 64, InetAddress.getByName(ip)));
                servers.add(server);
                serveWhoAmI(server, ip);
            }
            Shell.check("ip", "-n", node.nodeNs, "addr", "add", EXTERNAL_IP + "/32", "dev", node.uplink);
            try (NodeProcess fastpath = NodeProcess.start(node)) {
                assertTrue(fastpath.ready.contains(node.uplink), fastpath.ready);
                assertTrue(fastpath.ready.contains(UPLINK_QUEUES + " RX queues"), "a socket on every RX queue: " + fastpath.ready);

                assertEquals("ok", fastpath.command("service cluster"));
                final Map<String, Integer> cluster = connectMany(node, 41000, CONNECTIONS, NODE_IP);
                assertEquals(3, cluster.size(), "all three backends answered: " + cluster + fastpath.log());
                final Map<String, Integer> external = new TreeMap<>();
                for (int i = 0; i < 15; i++) {
                    final String backend = fetch(node, 44000 + i, EXTERNAL_IP, 80, 5000).split(" ")[0];
                    assertTrue(POD_IPS.contains(backend), "the externalIP " + EXTERNAL_IP + ":80 is answered by a backend: " + backend);
                    external.merge(backend, 1, Integer::sum);
                }
                assertTrue(external.size() >= 2, "the externalIP's connections are spread: " + external);

                assertEquals("ok", fastpath.command("service local"));
                final Map<String, Integer> local = connectMany(node, 42000, CONNECTIONS, CLIENT_IP);
                assertEquals(3, local.size(), "all three (local) backends answered: " + local + fastpath.log());
                final String queues = fastpath.command("queues");
                System.out.println("uplink " + queues);
                assertFlowsCameInAndLeftOnSeveralQueues(queues);

                assertEquals("ok", fastpath.command("service local-elsewhere"));
                assertThrows(SocketTimeoutException.class, () -> fetch(node, 43000, NODE_IP, NODE_PORT, 1500),
                        "Local with no endpoint on this node: dropped");
                final String drops = fastpath.command("drops");
                assertTrue(!drops.contains("no-local-endpoint=0 "), drops);
                assertTrue(drops.endsWith("worker-error=null"), drops);

                assertEquals("node kernel", fetch(node, 0, NODE_IP, KERNEL_LISTENER_PORT, 5000),
                        "a port outside the NodePort range on the node address is the kernel's");
                assertEquals("node health check", fetch(node, 0, NODE_IP, UplinkNodeProcess.HEALTH_CHECK_PORT, 5000),
                        "a NodePort-range port marked in the kernel ports map (a health-check node port) is the kernel's");
                final Shell.Result ping = Shell.run(15, "ip", "netns", "exec", node.outsideNs, "ping", "-c", "2", "-W", "2", NODE_IP);
                assertTrue(ping.ok(), "ICMP echo to the node address is the kernel's: " + ping.output());

                final String detached = fastpath.command("detach");
                assertTrue(detached.startsWith("detached lent=0 "), "no frame is left lent to a closed queue socket: " + detached);
                final java.util.regex.Matcher frames = java.util.regex.Pattern.compile("accounted=(\\d+) of=(\\d+)").matcher(detached);
                assertTrue(frames.find() && frames.group(1).equals(frames.group(2)), "every frame is back or lent to a pod: " + detached);
                assertTrue(!Shell.check("ip", "-n", node.nodeNs, "-o", "link", "show", node.uplink).contains("xdp"),
                        "detach removed the steering program from the uplink");
                final String attached = fastpath.command("attach");
                assertTrue(attached.contains(UPLINK_QUEUES + " RX queues"), "attached again, every queue: " + attached);
                assertEquals("ok", fastpath.command("service cluster"));
                assertEquals(3, connectMany(node, 45000, CONNECTIONS, NODE_IP).size(), "all three backends answer after a re-attach");
            }
        } finally {
            for (ServerSocket server : servers) {
                server.close();
            }
        }
    }

    /**
     * The 75 connections so far (each with its own source port, so its own hash) were spread over
     * the uplink's queues by the outside's kernel, and every one was answered (asserted above):
     * frames arrived on more than one queue's socket, and more than one sent (the replies leave
     * through the queue their flow came in on, not all through queue 0).
     */
    private static void assertFlowsCameInAndLeftOnSeveralQueues(String queuesLine) {
        final java.util.regex.Matcher queue = java.util.regex.Pattern.compile("q(\\d+) rx=(\\d+) tx=(\\d+)").matcher(queuesLine);
        int queues = 0;
        int receiving = 0;
        int sending = 0;
        while (queue.find()) {
            assertEquals(queues++, Integer.parseInt(queue.group(1)), "queues in order: " + queuesLine);
            receiving += Long.parseLong(queue.group(2)) > 0 ? 1 : 0;
            sending += Long.parseLong(queue.group(3)) > 0 ? 1 : 0;
        }
        assertEquals(UPLINK_QUEUES, queues, "one counter set per queue: " + queuesLine);
        assertTrue(receiving >= 2, "connections arrived on more than one queue: " + queuesLine);
        assertTrue(sending >= 2, "replies left through the queues their connections came in on, not one: " + queuesLine);
    }

    /** Answers every connection with "podIp peerAddress". */
    private static void serveWhoAmI(ServerSocket server, String ip) {
        Thread.ofPlatform().daemon().name("backend-" + ip).start(() -> {
            for (int n = 0; n < 4 * CONNECTIONS; n++) {
                try (Socket s = server.accept(); OutputStream out = s.getOutputStream()) {
                    out.write((ip + " " + s.getInetAddress().getHostAddress() + "\n").getBytes(StandardCharsets.US_ASCII));
                } catch (IOException e) {
                    return; // closed at the end of the test
                }
            }
        });
    }

    /**
     * {@code count} connections from the outside namespace to the NodePort, from source ports
     * {@code firstSourcePort + i} (each phase its own ports: a new SYN on a 5-tuple whose conntrack
     * entry from an earlier phase still lingers would follow that entry's NAT); every backend must
     * have seen {@code expectedPeer}.
     */
    private static Map<String, Integer> connectMany(NodeTopology node, int firstSourcePort, int count, String expectedPeer)
            throws Exception {
        final Map<String, Integer> byBackend = new TreeMap<>();
        for (int i = 0; i < count; i++) {
            final String[] answer = fetch(node, firstSourcePort + i, NODE_IP, NODE_PORT, 5000).split(" ");
            assertEquals(expectedPeer, answer[1], "connection " + i + " answered by " + answer[0]);
            byBackend.merge(answer[0], 1, Integer::sum);
        }
        return byBackend;
    }

    /** Connects from the outside namespace (source port {@code sourcePort}, 0: any) and reads one line. */
    private static String fetch(NodeTopology node, int sourcePort, String ip, int port, int timeoutMs) throws Exception {
        return NodeTopology.callIn(node.outsideNs, () -> {
            try (Socket s = new Socket()) {
                s.setReuseAddress(true);
                s.bind(new InetSocketAddress(CLIENT_IP, sourcePort));
                s.connect(new InetSocketAddress(ip, port), timeoutMs);
                s.setSoTimeout(timeoutMs);
                return new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII)).readLine();
            }
        });
    }

    /** The child JVM running the fast path in the node namespace, driven line by line. */
    static final class NodeProcess implements AutoCloseable {
        private final Process process;
        private final Path conntrack;
        private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        private final StringBuilder log = new StringBuilder();
        private final PrintStream in;
        final String ready;

        private NodeProcess(Process process, Path conntrack) throws Exception {
            this.process = process;
            this.conntrack = conntrack;
            this.in = new PrintStream(process.getOutputStream(), true, StandardCharsets.US_ASCII);
            Thread.ofPlatform().daemon().name("node-process-output").start(() -> {
                try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.US_ASCII))) {
                    for (String line; (line = out.readLine()) != null; ) {
                        lines.add(line);
                    }
                } catch (IOException e) {
                    lines.add("error output unreadable: " + e);
                }
                lines.add("exited");
            });
            this.ready = await("ready", 90);
        }

        static NodeProcess start(NodeTopology node) throws Exception {
            final Path conntrack = Path.of("/dev/shm", "isthmus-test-uplink-" + UUID.randomUUID());
            final List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", node.nodeNs,
                    ProcessHandle.current().info().command().orElse("java")));
            for (String flag : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
                if (!flag.startsWith("-javaagent") && !flag.startsWith("-agentlib") && !flag.startsWith("-Xrunjdwp")) {
                    command.add(flag);
                }
            }
            command.addAll(List.of("-cp", System.getProperty("java.class.path"), UplinkNodeProcess.class.getName(),
                    conntrack.toString(), node.nodeIp, "10.215.0.0/24", node.uplink,
                    Integer.toString(KERNEL_LISTENER_PORT), Integer.toString(NODE_PORT), EXTERNAL_IP));
            for (int i = 0; i < node.podIf.size(); i++) {
                command.add(node.podIf.get(i) + "," + node.podIp.get(i) + "," + NodeTopology.macIn(node.podNs.get(i)));
            }
            final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            try {
                return new NodeProcess(process, conntrack);
            } catch (Exception | AssertionError e) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
                java.nio.file.Files.deleteIfExists(conntrack);
                throw e;
            }
        }

        /** Sends {@code line}; returns the answer line (other output is kept for {@link #log()}). */
        String command(String line) throws InterruptedException {
            in.println(line);
            return await(line.split(" ")[0].equals("service") ? "ok" : line.split(" ")[0], 30);
        }

        private String await(String prefix, int timeoutSeconds) throws InterruptedException {
            final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
            while (System.nanoTime() < deadlineNs) {
                final String line = lines.poll(100, TimeUnit.MILLISECONDS);
                if (line == null) {
                    continue;
                }
                if (line.startsWith(prefix) || line.startsWith("error") || line.equals("exited")) {
                    if (!line.startsWith(prefix)) {
                        throw new AssertionError("node process: " + line + log());
                    }
                    return line;
                }
                log.append(line).append('\n');
            }
            throw new AssertionError("node process: no '" + prefix + "' within " + timeoutSeconds + " s" + log());
        }

        /** What the node process printed besides answers (flow events, errors). */
        String log() {
            return log.isEmpty() ? "" : "\nnode process output:\n" + log;
        }

        @Override
        public void close() throws Exception {
            try {
                in.println("quit");
                if (!process.waitFor(30, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    process.waitFor(10, TimeUnit.SECONDS);
                }
            } finally {
                java.nio.file.Files.deleteIfExists(conntrack);
            }
        }
    }
}
