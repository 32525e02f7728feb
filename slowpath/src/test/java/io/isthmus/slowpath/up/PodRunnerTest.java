package io.isthmus.slowpath.up;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.isthmus.cni.shim.CniShim;
import io.isthmus.fastpath.testing.Privileges;
import io.isthmus.fastpath.testing.Shell;
import io.isthmus.slowpath.cni.CniHandler;
import io.isthmus.slowpath.cni.CniServer;
import io.isthmus.slowpath.cni.IpamStore;
import io.isthmus.slowpath.cni.Ipv4Cidr;
import io.isthmus.slowpath.cni.NetlinkPodNetworkBackend;
import io.isthmus.slowpath.cni.PodAttachment;
import io.isthmus.slowpath.cni.RecordingFastpathPorts;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The pod runner against the real CNI path: the shim executed as a runtime executes it, relaying to
 * a CNI server started in this JVM with the netlink backend (the fast path's side is a recorder).
 * Checks the namespace, address, container command and its environment, then that stopping leaves
 * no namespace, veth, process or record.
 */
class PodRunnerTest {
    @TempDir
    Path dir;

    private final RecordingFastpathPorts fastpath = new RecordingFastpathPorts();
    private final Map<String, String> attached = fastpath.attached;
    private CniServer server;
    private UpState state;
    private PodRunner runner;
    private String podNamespace;

    @BeforeEach
    void start() throws IOException {
        Privileges.assumeRootAndAfXdp();
        state = new UpState(dir.resolve("state"));
        state.createDirectories();
        server = startCniServer();
        writeShim(state.cniBinDir());
        CniPluginRunner.writeIsthmusConflist(state.cniConflist());
        runner = new PodRunner(state, new CniPluginRunner(state.cniConflist(), List.of(state.cniBinDir()),
                Map.of("ISTHMUS_CNI_SOCKET", server.socketPath().toString())), "test-node", NetworkNamespaces.PREFIX);
        podNamespace = "t" + UUID.randomUUID().toString().substring(0, 6); // unique netns names per run
    }

    private CniServer startCniServer() throws IOException {
        return CniServer.start(dir.resolve("run/cni.sock"), new CniHandler(
                new IpamStore(state.ipamDir(), Ipv4Cidr.parse("10.231.7.0/24")), new NetlinkPodNetworkBackend(fastpath)));
    }

    @AfterEach
    void stop() throws IOException {
        if (state != null) {
            for (PodRecord record : state.pods()) {
                try {
                    runner.stop(record);
                } catch (IOException e) {
                    NetworkNamespaces.delete(record.netnsName());
                }
            }
        }
        if (server != null) {
            server.close();
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void runsTheCommandInAWiredNamespaceAndStopLeavesNothing() throws Exception {
        final Pod pod = new PodBuilder().withNewMetadata().withNamespace(podNamespace).withName("web").endMetadata()
                .withNewSpec().addNewContainer().withName("main")
                .withCommand("sh", "-c").withArgs("echo \"name=$POD_NAME ip=$POD_IP greeting=$GREETING\"; ip -o -4 addr show eth0; exec sleep 300")
                .addNewEnv().withName("POD_NAME").withNewValueFrom().withNewFieldRef().withFieldPath("metadata.name").endFieldRef().endValueFrom().endEnv()
                .addNewEnv().withName("POD_IP").withNewValueFrom().withNewFieldRef().withFieldPath("status.podIP").endFieldRef().endValueFrom().endEnv()
                .addNewEnv().withName("GREETING").withValue("hello").endEnv()
                .endContainer().endSpec().build();

        final PodRecord record = runner.start(pod);

        assertTrue(record.podIp().startsWith("10.231.7."), record.toString());
        assertTrue(Files.exists(record.netnsPath()), "netns " + record.netnsPath());
        final String hostIf = PodAttachment.hostInterfaceName(record.containerId(), PodRunner.POD_IFNAME);
        assertTrue(attached.containsKey(hostIf), "CNI ADD attached " + hostIf + " to the fast path: " + attached);
        final String log = waitForLog(state.podLog(podNamespace, "web"), "inet ");
        assertTrue(log.contains("name=web ip=" + record.podIp() + " greeting=hello"), log);
        assertTrue(log.contains("eth0") && log.contains(record.podIp() + "/32"), log);
        assertEquals(record, state.pod(podNamespace, "web").orElseThrow());
        assertTrue(ProcessHandle.of(record.pid()).isPresent(), "the container command runs");
        assertEquals(List.of(record.pid()), NetworkNamespaces.processesIn(record.netnsName()));

        runner.stop(record);

        assertFalse(Files.exists(record.netnsPath()), "netns removed");
        assertFalse(Shell.run(10, "ip", "link", "show", hostIf).ok(), "host veth removed");
        assertTrue(ProcessHandle.of(record.pid()).isEmpty(), "container command ended");
        assertTrue(state.pods().isEmpty(), "record removed");
        assertFalse(attached.containsKey(hostIf), "detached from the fast path");
        runner.stop(record); // idempotent
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aMissingExecutableFailsAfterTheSandboxWasMadeAndLeavesNothing() throws Exception {
        final Pod pod = new PodBuilder().withNewMetadata().withNamespace(podNamespace).withName("missing").endMetadata()
                .withNewSpec().addNewContainer().withName("main").withCommand(dir.resolve("not-yet/serve").toString()).endContainer().endSpec().build();

        final IOException failure = assertThrows(IOException.class, () -> runner.start(pod));

        assertFalse(failure instanceof PodRunner.UnrunnableSpec, "worth trying again: the file may appear");
        assertTrue(failure.getMessage().contains("executable " + dir.resolve("not-yet/serve") + " not found"), failure.getMessage());
        assertFalse(Files.exists(NetworkNamespaces.path(NetworkNamespaces.nameFor(podNamespace, "missing"))), "namespace removed");
        assertTrue(state.pods().isEmpty(), "record removed");
        assertTrue(attached.isEmpty(), "detached again: " + attached);
        assertEquals(List.of(), addresses(), "address released");
        final IOException noSuchCommand = assertThrows(IOException.class, () -> runner.start(new PodBuilder(pod).editSpec().editFirstContainer()
                .withCommand("isthmus-no-such-command").endContainer().endSpec().build()));
        assertTrue(noSuchCommand.getMessage().contains("executable isthmus-no-such-command not found in PATH"), noSuchCommand.getMessage());
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void anAttemptWhoseCniDelFailedIsFinishedByTheNextStart() throws Exception {
        final Pod pod = new PodBuilder().withNewMetadata().withNamespace(podNamespace).withName("web").endMetadata()
                .withNewSpec().addNewContainer().withName("main").withCommand("sleep", "300").endContainer().endSpec().build();
        final PodRecord first = runner.start(pod);
        server.close(); // CNI DEL cannot be answered

        assertThrows(IOException.class, () -> runner.stop(first));
        assertFalse(Files.exists(first.netnsPath()), "the namespace goes anyway");
        assertEquals(first, state.pod(podNamespace, "web").orElseThrow(), "the record stays: only CNI DEL releases the address");
        assertEquals(List.of(first.podIp()), addresses());

        server = startCniServer();
        final PodRecord second = runner.start(pod);

        assertFalse(second.containerId().equals(first.containerId()));
        assertEquals(List.of(second.podIp()), addresses(), "the first sandbox's address released before the second took one");
        assertFalse(attached.containsKey(PodAttachment.hostInterfaceName(first.containerId(), PodRunner.POD_IFNAME)), attached.toString());
        assertEquals(second, state.pod(podNamespace, "web").orElseThrow());
    }

    private List<String> addresses() throws IOException {
        final Path network = state.ipamDir().resolve("isthmus");
        if (!Files.isDirectory(network)) {
            return List.of();
        }
        try (var files = Files.list(network)) {
            return files.map(f -> f.getFileName().toString()).filter(n -> n.matches("\\d+\\.\\d+\\.\\d+\\.\\d+")).sorted().toList();
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aPodWithoutCommandFailsAndLeavesNothing() throws Exception {
        final Pod pod = new PodBuilder().withNewMetadata().withNamespace(podNamespace).withName("image-only").endMetadata()
                .withNewSpec().addNewContainer().withName("main").withImage("nginx").endContainer().endSpec().build();

        final IOException failure = assertThrows(IOException.class, () -> runner.start(pod));

        assertTrue(failure.getMessage().contains("has no command"), failure.getMessage());
        assertFalse(Files.exists(NetworkNamespaces.path(NetworkNamespaces.nameFor(podNamespace, "image-only"))));
        assertTrue(state.pods().isEmpty());
        assertTrue(attached.isEmpty(), "detached again: " + attached);
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aNamespaceNameTakenBySomeoneElseIsReportedAndLeftAlone() throws Exception {
        final String taken = NetworkNamespaces.nameFor(podNamespace, "taken");
        Shell.check("ip", "netns", "add", taken);
        try {
            final Pod pod = new PodBuilder().withNewMetadata().withNamespace(podNamespace).withName("taken").endMetadata()
                    .withNewSpec().addNewContainer().withName("main").withCommand("sleep", "300").endContainer().endSpec().build();

            final IOException failure = assertThrows(IOException.class, () -> runner.start(pod));

            assertTrue(failure.getMessage().contains(taken), failure.getMessage());
            assertTrue(Files.exists(NetworkNamespaces.path(taken)), "someone else's namespace is left alone");
            assertTrue(state.pods().isEmpty(), "no record, so 'down' will not touch it either");
        } finally {
            Shell.run(10, "ip", "netns", "delete", taken);
        }
    }

    @Test
    void longNamesAreShortenedUniquely() {
        final String a = NetworkNamespaces.nameFor("a-very-long-namespace-name", "backend-0123456789");
        final String b = NetworkNamespaces.nameFor("a-very-long-namespace-name", "backend-0123456788");
        assertTrue(a.length() <= 40 && b.length() <= 40, a + " " + b);
        assertFalse(a.equals(b));
        assertEquals("isthmus-default-client", NetworkNamespaces.nameFor("default", "client"));
    }

    private static String waitForLog(Path log, String text) throws Exception {
        String content = "";
        for (int i = 0; i < 100; i++) {
            content = Files.exists(log) ? Files.readString(log) : "";
            if (content.contains(text)) {
                return content;
            }
            Thread.sleep(100);
        }
        return content;
    }

    /** The plugin as 'isthmus install-cni' writes it, but on this test's class path. */
    static void writeShim(Path binDir) throws IOException {
        final Path script = binDir.resolve("isthmus");
        Files.writeString(script, "#!/bin/sh\nexec '" + ProcessHandle.current().info().command().orElseThrow() + "' -cp '"
                + System.getProperty("java.class.path") + "' " + CniShim.class.getName() + "\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
}
