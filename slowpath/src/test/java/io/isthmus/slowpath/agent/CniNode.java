package io.isthmus.slowpath.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.isthmus.cni.shim.CniShim;
import io.isthmus.fastpath.linux.Libc;
import io.isthmus.fastpath.linux.PosixConstants;
import io.isthmus.fastpath.runtime.TcpStream;
import io.isthmus.fastpath.testing.Shell;
import io.isthmus.slowpath.cni.PodAttachment;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Plays a container runtime against an agent: makes network namespaces and runs the REAL cni-shim
 * as a process (CNI_* environment, network configuration on stdin, result on stdout), exactly as
 * a runtime executes a plugin. Every namespace it made is deleted by {@link #close()}, and every
 * container still added is DELeted first.
 *
 * <p><b>Thread-safety:</b> the test thread only.
 */
final class CniNode implements AutoCloseable {
    static final String NETWORK = "isthmus-test-net";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SecureRandom RANDOM = new SecureRandom();

    /** One added container: its netns, its address, its host-side interface. */
    record Container(String id, String netns, String ip, String hostIfName) implements TcpStream.Side {
        @Override
        public <T> T callInside(Callable<T> body) throws Exception {
            final AtomicReference<T> result = new AtomicReference<>();
            final AtomicReference<Exception> failure = new AtomicReference<>();
            final Thread thread = Thread.ofPlatform().name("in-" + netns).start(() -> {
                try {
                    final int fd = Libc.open("/var/run/netns/" + netns, PosixConstants.O_RDONLY | PosixConstants.O_CLOEXEC);
                    try {
                        Libc.setns(fd, PosixConstants.CLONE_NEWNET, "netns " + netns);
                    } finally {
                        Libc.close(fd, "netns " + netns);
                    }
                    result.set(body.call());
                } catch (Exception e) {
                    failure.set(e);
                }
            });
            thread.join();
            if (failure.get() != null) {
                throw failure.get();
            }
            return result.get();
        }

        Shell.Result exec(long timeoutSeconds, String... command) {
            final List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", netns));
            full.addAll(List.of(command));
            return Shell.run(timeoutSeconds, full.toArray(String[]::new));
        }
    }

    record Outcome(int exitCode, String stdout) {
        JsonNode json() throws Exception {
            return JSON.readTree(stdout);
        }
    }

    private final Path cniSocket;
    private final String prefix = "isx-t" + HexFormat.of().formatHex(randomBytes(2));
    private final List<String> namespaces = new ArrayList<>();
    private final List<Container> added = new ArrayList<>();
    private int next;

    CniNode(Path cniSocket) {
        this.cniSocket = cniSocket;
    }

    private static byte[] randomBytes(int count) {
        final byte[] bytes = new byte[count];
        RANDOM.nextBytes(bytes);
        return bytes;
    }

    /** A new network namespace (deleted on close). */
    String newNetns() {
        final String name = prefix + "-" + next++;
        Shell.check("ip", "netns", "add", name);
        namespaces.add(name);
        return name;
    }

    /** ADD of a new container in {@code netns}; asserts success and returns what it got. */
    Container add(String netns) throws Exception {
        final String id = netns + "-c" + next++;
        final Outcome outcome = shim("ADD", id, netns);
        assertEquals(0, outcome.exitCode(), "ADD " + id + ": " + outcome.stdout());
        final String address = outcome.json().path("ips").get(0).path("address").asText();
        final Container container = new Container(id, netns, address.substring(0, address.indexOf('/')),
                PodAttachment.hostInterfaceName(id, "eth0"));
        added.add(container);
        return container;
    }

    /** DEL of {@code container}; asserts success. */
    void delete(Container container) throws Exception {
        final Outcome outcome = shim("DEL", container.id(), container.netns());
        assertEquals(0, outcome.exitCode(), "DEL " + container.id() + ": " + outcome.stdout());
        added.remove(container);
    }

    Outcome shim(String command, String containerId, String netns) throws Exception {
        final List<String> line = List.of(ProcessHandle.current().info().command().orElseThrow(),
                "-cp", System.getProperty("java.class.path"), CniShim.class.getName());
        final ProcessBuilder builder = new ProcessBuilder(line);
        builder.environment().keySet().removeIf(k -> k.startsWith("CNI_"));
        builder.environment().put("ISTHMUS_CNI_SOCKET", cniSocket.toString());
        builder.environment().putAll(Map.of("CNI_COMMAND", command, "CNI_CONTAINERID", containerId,
                "CNI_NETNS", "/var/run/netns/" + netns, "CNI_IFNAME", "eth0", "CNI_PATH", "/opt/cni/bin"));
        builder.redirectError(ProcessBuilder.Redirect.DISCARD);
        final Process process = builder.start();
        process.getOutputStream().write(("{\"cniVersion\":\"1.1.0\",\"name\":\"" + NETWORK + "\",\"type\":\"isthmus\"}")
                .getBytes(StandardCharsets.UTF_8));
        process.getOutputStream().close();
        final String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "the shim did not finish");
        return new Outcome(process.exitValue(), out);
    }

    /** DELs what is still added (while the agent runs), deletes the namespaces and any host end left. */
    @Override
    public void close() {
        for (Container container : List.copyOf(added)) {
            try {
                delete(container);
            } catch (Exception | AssertionError e) {
                System.err.println("cleanup: " + e.getMessage());
            }
        }
        for (String netns : namespaces) {
            Shell.run(30, "ip", "netns", "del", netns);
        }
    }

    /** Removes host ends a failed test may have left (after the agent stopped). */
    static void removeLink(String hostIfName) {
        if (Shell.run(10, "ip", "link", "show", hostIfName).ok()) {
            Shell.run(10, "ip", "link", "del", hostIfName);
        }
    }
}
