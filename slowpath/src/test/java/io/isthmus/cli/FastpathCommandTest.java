package io.isthmus.cli;

import io.isthmus.fastpath.control.aeron.AeronFastpathControl;
import io.isthmus.fastpath.control.aeron.ControlEventListener;
import io.isthmus.fastpath.testing.Pod;
import io.isthmus.fastpath.testing.PodExtension;
import io.isthmus.fastpath.testing.Privileges;
import io.isthmus.fastpath.testing.Shell;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FastpathCommandTest {
    @RegisterExtension
    final PodExtension pods = new PodExtension();

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) throws Exception {
        return new FastpathCommand().run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void withoutPortsItIsAUsageError() throws Exception {
        assertEquals(2, run());
        assertTrue(err().contains("at least one --port IFNAME=POD_IP (or --control aeron:ipc) is needed") && err().contains("usage:"), err());
    }

    @Test
    void badPortSpecsAndOptionsNameTheirArgument() throws Exception {
        assertEquals(2, run("--port", "eth0"));
        assertTrue(err().contains("bad port 'eth0': want IFNAME=POD_IP"), err());
        assertEquals(2, run("--port", "eth0=10.1.2"));
        assertTrue(err().contains("bad port 'eth0=10.1.2'"), err());
        assertEquals(2, run("--port", "eth0=10.1.2.3", "--bogus"));
        assertTrue(err().contains("unknown option '--bogus'"), err());
        assertEquals(2, run("--port", "eth0=10.1.2.3", "--worker-nice", "20"));
        assertTrue(err().contains("--worker-nice must be -20..19, not 20"), err());
        assertEquals(2, run("--port", "eth0=10.1.2.3", "--worker-cpu", "first"));
        assertTrue(err().contains("--worker-cpu takes a CPU number, not 'first'"), err());
        assertEquals(2, run("--port", "eth0=10.1.2.3", "--duration", "soon"));
        assertTrue(err().contains("--duration wants a positive number of seconds, got 'soon'"), err());
    }

    @Test
    void controlModeRejectsPortsAndUnknownChannels() throws Exception {
        assertEquals(2, run("--control", "aeron:udp"));
        assertTrue(err().contains("unknown control channel 'aeron:udp' (want aeron:ipc)"), err());
        assertEquals(2, run("--control", "aeron:ipc", "--port", "eth0=10.1.2.3"));
        assertTrue(err().contains("--port and --control exclude each other"), err());
    }

    @Test
    void controlModeServesTheChannelThatASlowPathReaches() throws Exception {
        Privileges.assumeRootAndAfXdp();
        final Path aeron = Path.of("/dev/shm", "isthmus-fastpath-cmd-aeron-" + UUID.randomUUID());
        final Path conntrack = Path.of("/dev/shm", "isthmus-fastpath-cmd-ct-" + UUID.randomUUID());
        try {
            final CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> {
                try {
                    return run("--control", "aeron:ipc", "--aeron-dir", aeron.toString(), "--conntrack", conntrack.toString(),
                            "--duration", "6", "--quiet");
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }, task -> Thread.ofPlatform().start(task));
            try (AeronFastpathControl slowPath = AeronFastpathControl
                    .connect(aeron, Duration.ofSeconds(10), ControlEventListener.NONE)) {
                slowPath.beginSync(1);
                slowPath.endSync(1);
                assertTrue(slowPath.awaitAnswers(Duration.ofSeconds(5)));
                assertEquals(0, slowPath.failedRequests());
            }
            assertEquals(0, exit.get(30, TimeUnit.SECONDS), err());
            final String printed = out.toString(StandardCharsets.UTF_8);
            assertTrue(printed.contains("fast path serving the control channel aeron:ipc in " + aeron), printed);
            assertFalse(Files.exists(aeron), "the driver's directory is removed");
        } finally {
            Files.deleteIfExists(conntrack);
        }
    }

    @Test
    void aMissingInterfaceIsAClearError() throws Exception {
        Privileges.assumeRootAndAfXdp(); // without root the error is about root, checked first
        assertEquals(1, run("--port", "isx-nope9=10.1.2.3"));
        assertTrue(err().contains("interface 'isx-nope9' does not exist"), err());
    }

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void switchesTwoPodsThenDetachesEverything() throws Exception {
        final Pod a = pods.pod("10.220.0.2");
        final Pod b = pods.pod("10.220.0.3");
        final CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> {
            try {
                return run("--port", a.hostInterface() + "=" + a.ip(), "--port", b.hostInterface() + "=" + b.ip(),
                        "--duration", "12");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        Shell.Result ping = null;
        for (int attempt = 0; attempt < 20 && (ping == null || !ping.ok()); attempt++) { // until attached (bounded)
            Thread.sleep(250);
            ping = a.exec(10, "ping", "-c", "2", "-W", "1", b.ip());
        }
        assertTrue(ping.ok(), ping.output());
        assertEquals(0, exit.get(60, TimeUnit.SECONDS), err());
        final String output = out.toString(StandardCharsets.UTF_8);
        assertTrue(output.contains("attached " + a.hostInterface() + ": XDP native, AF_XDP copy mode"), output);
        assertTrue(output.matches("(?s).*" + b.hostInterface() + " rx [1-9]\\d* tx [1-9].*"), output);
        assertTrue(output.contains("drop reasons:"), output);
        assertTrue(output.contains("detached"), output);
        assertFalse(Shell.check("ip", "-o", "link", "show", a.hostInterface()).contains("prog/xdp"));
        assertFalse(Shell.check("ip", "-o", "link", "show", b.hostInterface()).contains("prog/xdp"));
    }
}
