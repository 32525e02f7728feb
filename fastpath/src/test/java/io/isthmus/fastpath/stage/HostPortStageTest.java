package io.isthmus.fastpath.stage;

import io.isthmus.fastpath.packet.Ipv4Address;
import io.isthmus.fastpath.packet.MacAddress;
import io.isthmus.fastpath.pipeline.DropReason;
import io.isthmus.fastpath.pipeline.PortKind;
import io.isthmus.fastpath.pipeline.RouteTable;
import io.isthmus.fastpath.pipeline.RouteTableText;
import io.isthmus.fastpath.testing.StageHarness;
import io.isthmus.fastpath.testing.TestFrames;
import org.junit.jupiter.api.Test;

import static io.isthmus.fastpath.stage.StageFixtures.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The host port in the route, ARP, learning and rewrite stages: pod A on port 0, pod B on port 1,
 * the node's namespace (host veth) on port 2.
 */
class HostPortStageTest {
    static final long HOST_VETH_MAC = MacAddress.parse("0e:00:00:00:00:99");
    static final int NODE_IP = Ipv4Address.parse("192.168.7.10");
    static final int CLUSTER_DNS = Ipv4Address.parse("10.96.0.10");
    static final int HOST_PORT = 2;

    static RouteTable withHostPort() {
        return RouteTable.builder(1).port(0, SWITCH_MAC_0, POD_A).port(1, SWITCH_MAC_1, POD_B)
                .hostPort(HOST_PORT, SWITCH_MAC_2).build();
    }

    @Test
    void destinationsWithoutAPodRouteTakeTheHostPortAndPodRoutesStillWin() {
        try (StageHarness harness = new StageHarness(withHostPort())) {
            harness.add(0, TestFrames.udpFrame(SWITCH_MAC_0, POD_MAC_A, POD_A, NODE_IP, 64, 1, 80, new byte[4]));
            harness.add(0, TestFrames.udpFrame(SWITCH_MAC_0, POD_MAC_A, POD_A, CLUSTER_DNS, 64, 2, 53, new byte[4]));
            harness.add(0, TestFrames.udpFrame(SWITCH_MAC_0, POD_MAC_A, POD_A, POD_B, 64, 3, 80, new byte[4]));
            harness.add(HOST_PORT, TestFrames.udpFrame(SWITCH_MAC_2, HOST_VETH_MAC, NODE_IP, POD_A, 64, 4, 80, new byte[4]));
            assertEquals(4, harness.run(harness.stage(ParseStage::new), harness.stage(RouteStage::new)));
            assertEquals(HOST_PORT, harness.batch().egressPort[0], "the node address: default route");
            assertEquals(HOST_PORT, harness.batch().egressPort[1], "an address no pod has (the cluster DNS over TCP): default route");
            assertEquals(1, harness.batch().egressPort[2], "a pod /32 beats the default route");
            assertEquals(0, harness.batch().egressPort[3], "host to pod");
            harness.run(harness.stage(TransmitStage::new));
        }
    }

    @Test
    void theDefaultRouteNeverSendsAPacketBackToTheHostAndWithoutAHostPortThereIsNone() {
        try (StageHarness harness = new StageHarness(withHostPort())) {
            harness.add(HOST_PORT, TestFrames.udpFrame(SWITCH_MAC_2, HOST_VETH_MAC, NODE_IP, NOWHERE, 64, 1, 80, new byte[4]));
            assertEquals(0, harness.run(harness.stage(ParseStage::new), harness.stage(RouteStage::new)));
            assertEquals(1, harness.drops(DropReason.NO_ROUTE), "the host sent to an address no pod has: no loop");
        }
        try (StageHarness harness = new StageHarness(table())) {
            harness.add(0, TestFrames.udpFrame(SWITCH_MAC_0, POD_MAC_A, POD_A, NODE_IP, 64, 1, 80, new byte[4]));
            assertEquals(0, harness.run(harness.stage(ParseStage::new), harness.stage(RouteStage::new)));
            assertEquals(1, harness.drops(DropReason.NO_ROUTE), "no host port: no default route");
        }
    }

    @Test
    void theHostsArpForAPodIsAnsweredWithTheSwitchMacOnTheHostPort() {
        try (StageHarness harness = new StageHarness(withHostPort())) {
            harness.add(HOST_PORT, TestFrames.arpRequestFrame(HOST_VETH_MAC, NODE_IP, POD_B));
            assertEquals(1, harness.run(harness.stage(ParseStage::new), harness.stage(ArpResponderStage::new)));
            assertEquals(HOST_PORT, harness.batch().egressPort[0]);
            assertArrayEquals(TestFrames.ethernet(HOST_VETH_MAC, SWITCH_MAC_2, TestFrames.ETHER_ARP,
                    TestFrames.arp(2, SWITCH_MAC_2, POD_B, HOST_VETH_MAC, NODE_IP)), harness.frame(0),
                    "is-at: POD_B at the switch's MAC on the host port, to the host");
            harness.run(harness.stage(TransmitStage::new));
            assertEquals(42, harness.transmitted(HOST_PORT).length);
        }
    }

    @Test
    void proxyArpAnswersOnlyPodAddressesAndOnlyOnTheHostPort() {
        try (StageHarness harness = new StageHarness(withHostPort())) {
            harness.add(HOST_PORT, TestFrames.arpRequestFrame(HOST_VETH_MAC, NODE_IP, NOWHERE));   // no pod has it
            harness.add(HOST_PORT, TestFrames.arpRequestFrame(HOST_VETH_MAC, NODE_IP, CLUSTER_DNS)); // nor this
            harness.add(0, TestFrames.arpRequestFrame(POD_MAC_A, POD_A, POD_B));                    // a pod asking for a pod
            harness.add(0, TestFrames.arpRequestFrame(POD_MAC_A, POD_A, NODE_IP));                  // a pod asking for the node
            assertEquals(0, harness.run(harness.stage(ParseStage::new), harness.stage(ArpResponderStage::new)));
            assertEquals(4, harness.drops(DropReason.ARP_CONSUMED));
        }
    }

    @Test
    void theHostVethMacIsLearnedFromAnyAddressOnTheHostPortAndFramesToTheHostGetIt() {
        try (StageHarness harness = new StageHarness(withHostPort())) {
            harness.add(HOST_PORT, TestFrames.udpFrame(SWITCH_MAC_2, HOST_VETH_MAC, NODE_IP, POD_A, 64, 1, 80, new byte[4]));
            harness.run(harness.stage(ParseStage::new), harness.stage(NeighborLearnStage::new));
            assertEquals(HOST_VETH_MAC, harness.context().neighbors().podMac(HOST_PORT), "the host end's MAC, whatever its address");
            harness.context().pool().release(harness.batch().address[0]);
            harness.batch().clear();

            final byte[] toNode = TestFrames.udpFrame(SWITCH_MAC_0, POD_MAC_A, POD_A, NODE_IP, 64, 1, 80, new byte[4]);
            harness.add(0, toNode);
            harness.run(harness.stage(ParseStage::new), harness.stage(RouteStage::new),
                    harness.stage(ForwardRewriteStage::new), harness.stage(TransmitStage::new));
            assertEquals(0, harness.totalDrops());
            assertArrayEquals(TestFrames.routed(toNode, HOST_VETH_MAC, SWITCH_MAC_2), harness.transmitted(HOST_PORT));
        }
    }

    @Test
    void withoutTheHostMacAFrameToTheHostIsDroppedWithoutAnArpRequest() {
        try (StageHarness harness = new StageHarness(withHostPort())) {
            harness.add(0, TestFrames.udpFrame(SWITCH_MAC_0, POD_MAC_A, POD_A, NODE_IP, 64, 1, 80, new byte[4]));
            assertEquals(0, harness.run(harness.stage(ParseStage::new), harness.stage(RouteStage::new),
                    harness.stage(ForwardRewriteStage::new)));
            assertEquals(1, harness.drops(DropReason.NEIGHBOR_UNKNOWN), "the fast path has no address to ask the host for");
        }
    }

    @Test
    void aPortNewToTheTableKeepsTheMacItsAttachGave() {
        try (StageHarness harness = new StageHarness(table())) {
            harness.context().neighbors().learn(HOST_PORT, HOST_VETH_MAC); // what Worker.attach does
            harness.publish(RouteTable.builder(2).port(0, SWITCH_MAC_0, POD_A).port(1, SWITCH_MAC_1, POD_B)
                    .hostPort(HOST_PORT, MacAddress.parse("02:00:00:00:00:77")).build());
            harness.run(harness.stage(ParseStage::new));
            assertEquals(MacAddress.UNKNOWN, harness.context().neighbors().podMac(HOST_PORT),
                    "port 2 was in the old table with another local MAC: forgotten");
        }
        try (StageHarness harness = new StageHarness(RouteTable.builder(1).port(0, SWITCH_MAC_0, POD_A).build(), 3, 16)) {
            harness.context().neighbors().learn(HOST_PORT, HOST_VETH_MAC);
            harness.publish(withHostPort());
            harness.run(harness.stage(ParseStage::new));
            assertEquals(HOST_VETH_MAC, harness.context().neighbors().podMac(HOST_PORT), "new to the table: kept");
        }
    }

    @Test
    void theTableHasOneHostPortAndItsTextFormRoundTrips() {
        final RouteTable table = withHostPort();
        assertEquals(PortKind.HOST, table.kind(HOST_PORT));
        assertEquals(PortKind.POD, table.kind(0));
        assertEquals(HOST_PORT, table.defaultPort());
        assertEquals(HOST_PORT, table.route(NODE_IP));
        assertEquals(1, table.route(POD_B));
        assertEquals(RouteTable.NO_PORT, table().route(NODE_IP));
        final String text = RouteTableText.format(table);
        assertTrue(text.contains("port 2 mac 02:00:00:00:00:03 host\n"), text);
        assertEquals(text, RouteTableText.format(RouteTableText.parse(text, "tables.txt")));
        final IllegalArgumentException twice = assertThrows(IllegalArgumentException.class,
                () -> RouteTable.builder(1).hostPort(0, SWITCH_MAC_0).hostPort(1, SWITCH_MAC_1));
        assertTrue(twice.getMessage().contains("already has a host port"), twice.getMessage());
    }
}
