package io.isthmus.fastpath.worker;

import io.isthmus.fastpath.packet.Ipv4Address;
import io.isthmus.fastpath.packet.MacAddress;
import io.isthmus.fastpath.pipeline.DropReason;
import io.isthmus.fastpath.pipeline.RouteTable;
import io.isthmus.fastpath.port.PortCounters;
import io.isthmus.fastpath.testing.PipelineHarness;
import io.isthmus.fastpath.testing.TestFrames;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class WorkerSwitchingTest {
    static final long SWITCH_MAC_0 = MacAddress.parse("02:00:00:00:00:01");
    static final long SWITCH_MAC_1 = MacAddress.parse("02:00:00:00:00:02");
    static final long POD_MAC_A = MacAddress.parse("0a:00:00:00:00:0a");
    static final long POD_MAC_B = MacAddress.parse("0a:00:00:00:00:0b");
    static final int POD_A = Ipv4Address.parse("10.244.1.2");
    static final int POD_B = Ipv4Address.parse("10.244.1.3");
    static final int GATEWAY = Ipv4Address.parse("169.254.1.1");

    static RouteTable twoPods() {
        return RouteTable.builder(1).port(0, SWITCH_MAC_0, POD_A).port(1, SWITCH_MAC_1, POD_B).build();
    }

    @Test
    void answersGatewayArpOutOfTheIngressPortWithThatPortsMac() {
        try (PipelineHarness harness = new PipelineHarness(twoPods())) {
            harness.send(0, TestFrames.arpRequestFrame(POD_MAC_A, POD_A, GATEWAY));
            harness.run();
            final List<byte[]> out = harness.transmitted(0);
            assertEquals(1, out.size());
            final byte[] expected = TestFrames.ethernet(POD_MAC_A, SWITCH_MAC_0, TestFrames.ETHER_ARP,
                    TestFrames.arp(2, SWITCH_MAC_0, GATEWAY, POD_MAC_A, POD_A));
            assertArrayEquals(expected, out.get(0));
            assertEquals(0, harness.transmitted(1).size());
            assertEquals(POD_MAC_A, harness.worker().neighbors().podMacAcquire(0), "learned from the ARP sender");
        }
    }

    @Test
    void routesIcmpToTheLearnedPodWithTtlDecrementedAndMacsRewritten() {
        try (PipelineHarness harness = new PipelineHarness(twoPods())) {
            harness.send(1, TestFrames.arpRequestFrame(POD_MAC_B, POD_B, GATEWAY)); // B announces itself
            harness.run();
            harness.transmitted(1);
            final byte[] request = TestFrames.icmpEchoFrame(SWITCH_MAC_0, POD_MAC_A, POD_A, POD_B, 64, 8, 1);
            harness.send(0, request);
            harness.run();
            final List<byte[]> out = harness.transmitted(1);
            assertEquals(1, out.size());
            assertArrayEquals(TestFrames.routed(request, POD_MAC_B, SWITCH_MAC_1), out.get(0));
            assertEquals(1, harness.port(0).counters().get(PortCounters.Counter.RX_PACKETS));
            assertEquals(2, harness.port(1).counters().get(PortCounters.Counter.TX_PACKETS));
        }
    }

    @Test
    void unknownNeighborEmitsOneArpRequestAndDrops() {
        try (PipelineHarness harness = new PipelineHarness(twoPods())) {
            harness.send(0, TestFrames.icmpEchoFrame(SWITCH_MAC_0, POD_MAC_A, POD_A, POD_B, 64, 8, 1));
            harness.send(0, TestFrames.icmpEchoFrame(SWITCH_MAC_0, POD_MAC_A, POD_A, POD_B, 64, 8, 2));
            harness.run();
            final List<byte[]> out = harness.transmitted(1);
            assertEquals(1, out.size(), "one ARP request per interval");
            assertArrayEquals(TestFrames.ethernet(MacAddress.BROADCAST, SWITCH_MAC_1, TestFrames.ETHER_ARP,
                    TestFrames.arp(1, SWITCH_MAC_1, GATEWAY, 0, POD_B)), out.get(0));
            assertEquals(2, harness.drops(DropReason.NEIGHBOR_UNKNOWN));
            assertEquals(2, harness.port(0).counters().get(PortCounters.Counter.RX_DROPPED));
        }
    }

    @Test
    void ttlOfOneIsDroppedAndUnknownDestinationIsNoRoute() {
        try (PipelineHarness harness = new PipelineHarness(twoPods())) {
            harness.send(1, TestFrames.arpRequestFrame(POD_MAC_B, POD_B, GATEWAY));
            harness.send(0, TestFrames.icmpEchoFrame(SWITCH_MAC_0, POD_MAC_A, POD_A, POD_B, 1, 8, 1));
            harness.send(0, TestFrames.icmpEchoFrame(SWITCH_MAC_0, POD_MAC_A, POD_A, Ipv4Address.parse("10.9.9.9"), 64, 8, 1));
            harness.run();
            assertEquals(1, harness.drops(DropReason.TTL_EXPIRED));
            assertEquals(1, harness.drops(DropReason.NO_ROUTE));
            assertEquals(1, harness.transmitted(1).size(), "only the ARP reply");
        }
    }
}
