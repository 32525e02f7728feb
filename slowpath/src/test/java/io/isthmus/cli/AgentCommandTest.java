package io.isthmus.cli;

import io.isthmus.fastpath.testing.Privileges;
import io.isthmus.slowpath.agent.SlowPath;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
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
        assertEquals(0, run("--help"));
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("usage: isthmus agent"));
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
}
