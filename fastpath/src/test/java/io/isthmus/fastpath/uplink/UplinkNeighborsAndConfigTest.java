package io.isthmus.fastpath.uplink;

import io.isthmus.fastpath.packet.Ipv4Address;
import io.isthmus.fastpath.packet.MacAddress;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The uplink's learned next hops, its binding's queue slots and its configuration from text. */
class UplinkNeighborsAndConfigTest {
    @Test
    void learnsRelearnsAndForgetsClients() {
        final UplinkNeighbors neighbors = new UplinkNeighbors(16);
        final int client = Ipv4Address.parse("192.168.77.1");
        assertEquals(MacAddress.UNKNOWN, neighbors.macOf(client));
        neighbors.learn(client, 0x0a0000000001L);
        assertEquals(0x0a0000000001L, neighbors.macOf(client));
        neighbors.learn(client, 0x0a0000000002L);
        assertEquals(0x0a0000000002L, neighbors.macOf(client), "a client that moved behind another MAC");
        neighbors.learn(0, 0x0a0000000003L);
        assertEquals(MacAddress.UNKNOWN, neighbors.macOf(0));
        neighbors.clear();
        assertEquals(MacAddress.UNKNOWN, neighbors.macOf(client));
    }

    @Test
    void aFullTableOverwritesInsteadOfGrowingAndRecentClientsAreFound() {
        final UplinkNeighbors neighbors = new UplinkNeighbors(16);
        for (int i = 1; i <= 1000; i++) {
            neighbors.learn(Ipv4Address.parse("10.0.0.0") + i, i);
            assertEquals(i, neighbors.macOf(Ipv4Address.parse("10.0.0.0") + i), "the client just learned, #" + i);
        }
    }

    @Test
    void aBindingNamesItsQueuesConsecutiveSlotsAndNoOthers() {
        final UplinkBinding binding = new UplinkBinding(12, 4, 0x020000000077L);
        for (int slot = 12; slot < 16; slot++) {
            assertTrue(binding.isUplink(slot), "slot " + slot);
        }
        for (int slot : new int[] {11, 16, -1, Integer.MIN_VALUE, Integer.MAX_VALUE}) {
            assertTrue(!binding.isUplink(slot), "slot " + slot);
        }
        final UplinkBinding single = new UplinkBinding(3, 0x020000000077L);
        assertEquals(1, single.queueCount());
        assertTrue(single.isUplink(3) && !single.isUplink(2) && !single.isUplink(4));
        assertThrows(IllegalArgumentException.class, () -> new UplinkBinding(3, 0, 1L));
        assertThrows(IllegalArgumentException.class, () -> new UplinkBinding(-1, 1, 1L));
    }

    @Test
    void parsesTheAgentsFlagsAndNamesWhatIsWrong() {
        final UplinkConfig config = UplinkConfig.parse("eth1", List.of("192.168.1.10", "fd00::10"), "31000-31999",
                List.of("203.0.113.7", "198.51.100.9/24"));
        assertEquals(List.of(Ipv4Address.parse("192.168.1.10")), config.nodeAddresses(), "IPv6 node addresses are skipped");
        assertEquals(31000, config.nodePortMin());
        assertEquals(31999, config.nodePortMax());
        assertEquals("[203.0.113.7/32, 198.51.100.0/24]", config.serviceCidrs().toString());
        assertTrue(config.describe().startsWith("eth1: NodePorts 31000-31999 on [192.168.1.10]"), config.describe());
        final UplinkConfig defaults = UplinkConfig.parse("eth1", List.of("192.168.1.10"), null, List.of());
        assertEquals(30000, defaults.nodePortMin());
        assertEquals(32767, defaults.nodePortMax());

        assertTrue(assertThrows(IllegalArgumentException.class, () -> UplinkConfig.parse("eth1", List.of(), null, List.of()))
                .getMessage().contains("node address"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> UplinkConfig.parse("eth1", List.of("1.2.3"), null, List.of()))
                .getMessage().contains("'1.2.3'"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> UplinkConfig.parse("eth1", List.of("1.2.3.4"), "30000", List.of()))
                .getMessage().contains("MIN-MAX"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> UplinkConfig.parse("eth1", List.of("1.2.3.4"), "3-2", List.of()))
                .getMessage().contains("min <= max"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> UplinkConfig.parse("eth1", List.of(), null, List.of("0.0.0.0/0")))
                .getMessage().contains("1..32"));
    }
}
