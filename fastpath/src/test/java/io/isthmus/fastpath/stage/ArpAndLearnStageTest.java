package io.isthmus.fastpath.stage;

import io.isthmus.fastpath.packet.MacAddress;
import io.isthmus.fastpath.pipeline.DropReason;
import io.isthmus.fastpath.testing.StageHarness;
import io.isthmus.fastpath.testing.TestFrames;
import org.junit.jupiter.api.Test;

import static io.isthmus.fastpath.stage.StageFixtures.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class ArpAndLearnStageTest {

    @Test
    void gatewayRequestBecomesAReplyBackOutOfTheIngressPort() {
        try (StageHarness harness = new StageHarness(table())) {
            harness.add(1, TestFrames.arpRequestFrame(POD_MAC_B, POD_B, GATEWAY));
            assertEquals(1, harness.run(harness.stage(ParseStage::new), harness.stage(ArpResponderStage::new)));
            assertEquals(1, harness.batch().egressPort[0]);
            assertArrayEquals(TestFrames.ethernet(POD_MAC_B, SWITCH_MAC_1, TestFrames.ETHER_ARP,
                    TestFrames.arp(2, SWITCH_MAC_1, GATEWAY, POD_MAC_B, POD_B)), harness.frame(0));
            harness.run(harness.stage(TransmitStage::new));
            assertEquals(42, harness.transmitted(1).length);
        }
    }

    @Test
    void otherArpIsConsumedAndNonArpPassesUntouched() {
        try (StageHarness harness = new StageHarness(table())) {
            harness.add(0, TestFrames.arpRequestFrame(POD_MAC_A, POD_A, POD_B));                 // for another pod
            harness.add(0, TestFrames.ethernet(SWITCH_MAC_0, POD_MAC_A, TestFrames.ETHER_ARP,
                    TestFrames.arp(2, POD_MAC_A, POD_A, SWITCH_MAC_0, GATEWAY)));                 // a reply
            final byte[] udp = TestFrames.udpFrame(SWITCH_MAC_0, POD_MAC_A, POD_A, POD_B, 64, 1, 2, new byte[4]);
            harness.add(0, udp);
            assertEquals(1, harness.run(harness.stage(ParseStage::new), harness.stage(ArpResponderStage::new)));
            assertEquals(2, harness.drops(DropReason.ARP_CONSUMED));
            assertArrayEquals(udp, harness.frame(0));
            assertEquals(-1, harness.batch().egressPort[0]);
            harness.run(harness.stage(RouteStage::new), harness.stage(TransmitStage::new)); // to port 1, which has no MAC rewrite here
        }
    }

    @Test
    void learnsThePodMacOnlyFromThePodsOwnAddressOnItsOwnPort() {
        try (StageHarness harness = new StageHarness(table())) {
            harness.add(0, TestFrames.udpFrame(SWITCH_MAC_0, POD_MAC_A, POD_A, POD_B, 64, 1, 2, new byte[4]));
            harness.add(1, TestFrames.udpFrame(SWITCH_MAC_1, 0x0E0000000001L, NOWHERE, POD_A, 64, 1, 2, new byte[4])); // spoofed source
            harness.add(2, TestFrames.arpRequestFrame(0x0E0000000002L, POD_B, GATEWAY));     // port 2 has no pod
            harness.run(harness.stage(ParseStage::new), harness.stage(NeighborLearnStage::new));
            assertEquals(POD_MAC_A, harness.context().neighbors().podMac(0));
            assertEquals(MacAddress.UNKNOWN, harness.context().neighbors().podMac(1));
            assertEquals(MacAddress.UNKNOWN, harness.context().neighbors().podMac(2));
            assertEquals(3, harness.batch().size(), "learning drops nothing");
            for (int i = 0; i < 3; i++) {
                harness.context().pool().release(harness.batch().address[i]);
            }
            harness.batch().clear();
        }
    }

    @Test
    void aNewRouteTableGenerationForgetsPodsWhosePortChanged() {
        try (StageHarness harness = new StageHarness(table())) {
            harness.context().neighbors().learn(0, POD_MAC_A);
            harness.context().neighbors().learn(1, POD_MAC_B);
            harness.publish(io.isthmus.fastpath.pipeline.RouteTable.builder(2)
                    .port(0, SWITCH_MAC_0, POD_A).port(1, SWITCH_MAC_1, NOWHERE).build());
            harness.run(harness.stage(ParseStage::new)); // any batch picks up the generation
            assertEquals(POD_MAC_A, harness.context().neighbors().podMac(0));
            assertEquals(MacAddress.UNKNOWN, harness.context().neighbors().podMac(1));
            assertEquals(2, harness.context().table().generation());
        }
    }
}
