package io.isthmus.cli;

import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code isthmus dns}: argument handling (serving itself is tested through DnsServer). */
class DnsCommandTest {

    @Test
    void parsesListenAddresses() {
        assertEquals(new InetSocketAddress("127.0.0.1", 5353), DnsCommand.parseListen("127.0.0.1:5353"));
        assertEquals(5353, DnsCommand.parseListen("[::1]:5353").getPort());
        assertTrue(DnsCommand.parseListen("[::1]:5353").getAddress() instanceof java.net.Inet6Address);
        assertThrows(IllegalArgumentException.class, () -> DnsCommand.parseListen("127.0.0.1"));
        assertThrows(IllegalArgumentException.class, () -> DnsCommand.parseListen("127.0.0.1:x"));
        assertThrows(IllegalArgumentException.class, () -> DnsCommand.parseListen("127.0.0.1:70000"));
    }

    @Test
    void badUsageExitsWithTwo() throws Exception {
        final DnsCommand command = new DnsCommand();
        assertEquals(2, command.run(new String[] {}));
        assertEquals(2, command.run(new String[] {"serve"}));
        assertEquals(2, command.run(new String[] {"serve", "-f", "/nonexistent-isthmus-dir", "--listen", "127.0.0.1:0"}));
        assertEquals(2, command.run(new String[] {"serve", "-f", "src/test/resources/dns/cluster", "--listen", "127.0.0.1:0", "--ttl", "x"}));
        assertEquals(2, command.run(new String[] {"serve", "-f", "src/test/resources/dns/cluster", "--listen", "127.0.0.1:0", "--bogus", "1"}));
        assertEquals(2, command.run(new String[] {"serve", "-f", "src/test/resources/dns/cluster", "--listen", "127.0.0.1:0", "--ttl", "-1"}));
        assertTrue(Main.subcommands().stream().anyMatch(s -> s.name().equals("dns")));
    }

    @Test
    void dumpPrintsTheZoneWithoutListening() throws Exception {
        final java.io.PrintStream original = System.out;
        final java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
        System.setOut(new java.io.PrintStream(captured, true, java.nio.charset.StandardCharsets.UTF_8));
        try {
            assertEquals(0, new DnsCommand().run(new String[] {"dump", "-f", "src/test/resources/dns/cluster/services.yaml", "--ttl", "7"}));
        } finally {
            System.setOut(original);
        }
        assertTrue(captured.toString(java.nio.charset.StandardCharsets.UTF_8)
                .contains("kubernetes.default.svc.cluster.local A: answer kubernetes.default.svc.cluster.local 7 A 10.96.0.1"), captured.toString());
    }
}
