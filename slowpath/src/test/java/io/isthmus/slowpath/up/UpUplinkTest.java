package io.isthmus.slowpath.up;

import io.isthmus.fastpath.testing.Shell;
import io.isthmus.fastpath.uplink.UplinkConfig;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What {@code up --uplink IFACE} checks before it makes anything, each refusal naming the interface and why. */
class UpUplinkTest {
    @Test
    void aMissingInterfaceOrLoopbackIsRefusedNamingIt() {
        final IOException missing = assertThrows(IOException.class, () -> UpUplink.configFor("isxnone0"));
        assertTrue(missing.getMessage().contains("uplink 'isxnone0': no such network interface"), missing.getMessage());
        assertThrows(IOException.class, () -> UpUplink.configFor("../lo"), "not a path");
        final IOException loopback = assertThrows(IOException.class, () -> UpUplink.configFor("lo"));
        assertTrue(loopback.getMessage().contains("uplink lo is the loopback interface"), loopback.getMessage());
    }

    @Test
    void anInterfaceGivesItsIpv4AddressesAsNodeAddressesAndOneWithoutAnyIsRefused() throws Exception {
        Assumptions.assumeTrue(io.isthmus.fastpath.linux.Libc.geteuid() == 0, "making a veth needs root: skipped");
        final String name = "isxk" + HexFormat.of().toHexDigits((int) (Math.random() * 0xFFFFFF)).substring(2);
        try {
            Shell.check("ip", "link", "add", name, "type", "veth", "peer", "name", name + "p");
            final IOException none = assertThrows(IOException.class, () -> UpUplink.configFor(name));
            assertTrue(none.getMessage().contains("uplink " + name + " has no IPv4 address"), none.getMessage());
            Shell.check("ip", "addr", "add", "198.19.77.1/30", "dev", name);
            final UplinkConfig config = UpUplink.configFor(name);
            assertEquals(name, config.interfaceName());
            assertEquals(1, config.nodeAddresses().size());
            assertEquals("198.19.77.1", io.isthmus.fastpath.packet.Ipv4Address.format(config.nodeAddresses().getFirst()));
            assertEquals(30000, config.nodePortMin());
            assertEquals(32767, config.nodePortMax());
            assertFalse(UpUplink.xdpProgramOn(name).isPresent(), "no XDP program on a new veth");
        } finally {
            Shell.run(10, "ip", "link", "del", name);
        }
    }
}
