package io.isthmus.fastpath.stage;

import io.isthmus.fastpath.packet.MacAddress;
import io.isthmus.fastpath.pipeline.DropReason;
import io.isthmus.fastpath.pipeline.RouteTable;
import io.isthmus.fastpath.testing.StageHarness;
import io.isthmus.fastpath.testing.TestFrames;
import org.junit.jupiter.api.Test;

import static io.isthmus.fastpath.stage.StageFixtures.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class RouteAndRewriteStageTest {

    static byte[] toB(int ttl, int sourcePort) {
        return TestFrames.udpFrame(SWITCH_MAC_0, POD_MAC_A, POD_A, POD_B, ttl, sourcePort, 53, new byte[6]);
    }

    @Test
    void routesByDestinationAndDropsWhatHasNoRoute() {
        try (StageHarness harness = new StageHarness(table())) {
            harness.add(0, toB(64, 1));
            harness.add(1, TestFrames.udpFrame(SWITCH_MAC_1, POD_MAC_B, POD_B, POD_A, 64, 2, 53, new byte[6]));
            harness.add(0, TestFrames.udpFrame(SWITCH_MAC_0, POD_MAC_A, POD_A, NOWHERE, 64, 3, 53, new byte[6]));
            harness.add(0, TestFrames.ethernet(SWITCH_MAC_0, POD_MAC_A, TestFrames.ETHER_IPV6, TestFrames.checksumlessIpv6(0)));
            assertEquals(2, harness.run(harness.stage(ParseStage::new), harness.stage(RouteStage::new)));
            assertEquals(1, harness.batch().egressPort[0]);
            assertEquals(0, harness.batch().egressPort[1]);
            assertEquals(1, harness.drops(DropReason.NO_ROUTE));
            assertEquals(1, harness.drops(DropReason.IPV6_NOT_ROUTED));
            harness.run(harness.stage(TransmitStage::new));
        }
    }

    @Test
    void aRouteToAPortTheWorkerDoesNotHaveIsNoRoute() {
        final RouteTable wide = RouteTable.builder(1).port(0, SWITCH_MAC_0, POD_A).port(7, SWITCH_MAC_1, POD_B).build();
        try (StageHarness harness = new StageHarness(wide, 2, 16)) {
            harness.add(0, toB(64, 1));
            assertEquals(0, harness.run(harness.stage(ParseStage::new), harness.stage(RouteStage::new)));
            assertEquals(1, harness.drops(DropReason.NO_ROUTE));
        }
    }

    @Test
    void manyPodsAllRouteToTheirPorts() {
        final RouteTable.Builder builder = RouteTable.builder(1);
        for (int port = 0; port < 200; port++) {
            builder.port(port, 0x020000000100L + port, 0x0AF40000 + port * 7 + 1);
        }
        final RouteTable table = builder.build();
        for (int port = 0; port < 200; port++) {
            assertEquals(port, table.lookup(0x0AF40000 + port * 7 + 1));
        }
        assertEquals(RouteTable.NO_PORT, table.lookup(0x0AF40000));
        assertEquals(RouteTable.NO_PORT, table.lookup(0));
    }

    @Test
    void decrementsTtlAndRewritesMacsForAKnownNeighbor() {
        try (StageHarness harness = new StageHarness(table())) {
            harness.context().neighbors().learn(1, POD_MAC_B);
            final byte[] in = toB(64, 1);
            harness.add(0, in);
            harness.add(0, toB(2, 2));
            harness.add(0, toB(1, 3));
            harness.add(0, toB(0, 4));
            assertEquals(2, harness.run(harness.stage(ParseStage::new), harness.stage(RouteStage::new),
                    harness.stage(ForwardRewriteStage::new)));
            assertEquals(2, harness.drops(DropReason.TTL_EXPIRED));
            assertArrayEquals(TestFrames.routed(in, POD_MAC_B, SWITCH_MAC_1), harness.frame(0));
            assertArrayEquals(TestFrames.routed(toB(2, 2), POD_MAC_B, SWITCH_MAC_1), harness.frame(1));
            harness.run(harness.stage(TransmitStage::new));
        }
    }

    @Test
    void unknownNeighborTurnsTheFrameIntoOneRateLimitedArpRequest() {
        try (StageHarness harness = new StageHarness(table())) {
            harness.add(0, toB(64, 1));
            harness.add(0, toB(64, 2));
            assertEquals(1, harness.run(harness.stage(ParseStage::new), harness.stage(RouteStage::new),
                    harness.stage(ForwardRewriteStage::new)));
            assertEquals(2, harness.drops(DropReason.NEIGHBOR_UNKNOWN));
            final byte[] request = TestFrames.ethernet(MacAddress.BROADCAST, SWITCH_MAC_1, TestFrames.ETHER_ARP,
                    TestFrames.arp(1, SWITCH_MAC_1, GATEWAY, 0, POD_B));
            assertArrayEquals(request, harness.frame(0));
            assertEquals(1, harness.batch().egressPort[0]);
            harness.run(harness.stage(TransmitStage::new));
            assertArrayEquals(request, harness.transmitted(1));

            harness.advanceNs(500_000L); // within the 1 ms interval of the harness: no second request
            harness.add(0, toB(64, 3));
            assertEquals(0, harness.run(harness.stage(ParseStage::new), harness.stage(RouteStage::new),
                    harness.stage(ForwardRewriteStage::new)));
            harness.advanceNs(600_000L);
            harness.add(0, toB(64, 4));
            assertEquals(0, harness.run(harness.stage(ParseStage::new), harness.stage(RouteStage::new),
                    harness.stage(ForwardRewriteStage::new), harness.stage(TransmitStage::new)), "the request went to TX");
            assertArrayEquals(request, harness.transmitted(1));
            assertEquals(4, harness.drops(DropReason.NEIGHBOR_UNKNOWN));
        }
    }

    @Test
    void aFullTransmitRingIsACountedDrop() {
        try (StageHarness harness = new StageHarness(table(), 3, 2)) {
            harness.context().neighbors().learn(1, POD_MAC_B);
            for (int n = 0; n < 5; n++) {
                harness.add(0, toB(64, n));
            }
            assertEquals(0, harness.run(harness.stage(ParseStage::new), harness.stage(RouteStage::new),
                    harness.stage(ForwardRewriteStage::new), harness.stage(TransmitStage::new)));
            assertEquals(3, harness.drops(DropReason.TX_RING_FULL));
            assertEquals(3, harness.port(1).counters().get(io.isthmus.fastpath.port.PortCounters.Counter.TX_RING_FULL));
            assertEquals(3, harness.port(0).counters().get(io.isthmus.fastpath.port.PortCounters.Counter.RX_DROPPED));
            assertEquals(2, harness.port(1).flush());
            harness.port(1).flush();
            int sent = 0;
            while (harness.transmitted(1) != null) {
                sent++;
            }
            assertEquals(2, sent);
            assertNull(harness.transmitted(0));
        }
    }
}
