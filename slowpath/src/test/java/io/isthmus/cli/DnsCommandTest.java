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
}
