package io.isthmus.fastpath.stage;

import io.isthmus.fastpath.pipeline.DropReason;
import io.isthmus.fastpath.testing.StageHarness;
import io.isthmus.fastpath.testing.TestFrames;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static io.isthmus.fastpath.stage.StageFixtures.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class ParseStageTest {

    static byte[] validUdp() {
        return TestFrames.udpFrame(SWITCH_MAC_0, POD_MAC_A, POD_A, POD_B, 64, 1000, 2000, new byte[10]);
    }

    /** Runs the parse stage over one frame; returns the drop reason, or null when it stays. */
    static DropReason parse(byte[] frame) {
        try (StageHarness harness = new StageHarness(table())) {
            harness.add(0, frame);
            final int left = harness.run(harness.stage(ParseStage::new));
            if (left == 1) {
                assertEquals(0, harness.totalDrops());
                harness.context().pool().release(harness.batch().address[0]);
                harness.batch().clear();
                return null;
            }
            for (DropReason reason : DropReason.values()) {
                if (harness.drops(reason) == 1) {
                    return reason;
                }
            }
            throw new AssertionError("packet left the batch without a counted reason");
        }
    }

    static byte[] withByte(byte[] frame, int index, int value) {
        final byte[] copy = frame.clone();
        copy[index] = (byte) value;
        return copy;
    }

    @Test
    void acceptsArpIpv4AndIpv6AndRecordsHeaderOffsets() {
        try (StageHarness harness = new StageHarness(table())) {
            harness.add(0, TestFrames.arpRequestFrame(POD_MAC_A, POD_A, GATEWAY));
            harness.add(0, validUdp());
            final byte[] ipv6 = TestFrames.ethernet(SWITCH_MAC_0, POD_MAC_A, TestFrames.ETHER_IPV6,
                    TestFrames.checksumlessIpv6(8));
            harness.add(0, ipv6);
            assertEquals(3, harness.run(harness.stage(ParseStage::new)));
            assertEquals(0x0806, harness.batch().etherType[0]);
            assertEquals(14, harness.batch().l3Offset[0]);
            assertEquals(0, harness.batch().l4Offset[0]);
            assertEquals(0x0800, harness.batch().etherType[1]);
            assertEquals(34, harness.batch().l4Offset[1]);
            assertEquals(0x86DD, harness.batch().etherType[2]);
            assertEquals(54, harness.batch().l4Offset[2]);
        }
    }

    @Test
    void eachMalformationIsACountedDropWithItsReason() {
        final byte[] udp = validUdp();
        assertEquals(null, parse(udp));
        assertEquals(DropReason.FRAME_TOO_SHORT, parse(Arrays.copyOf(udp, 13)));
        assertEquals(DropReason.FRAME_TOO_SHORT, parse(Arrays.copyOf(udp, 14 + 19)));
        assertEquals(DropReason.UNSUPPORTED_ETHERTYPE, parse(withByte(udp, 12, 0x88)));
        assertEquals(DropReason.VLAN_TAGGED, parse(TestFrames.ethernet(SWITCH_MAC_0, POD_MAC_A, 0x8100, new byte[50])));
        assertEquals(DropReason.IPV4_BAD_VERSION, parse(withByte(udp, 14, 0x65)));
        assertEquals(DropReason.IPV4_BAD_IHL, parse(withByte(udp, 14, 0x44)));
        assertEquals(DropReason.IPV4_BAD_IHL, parse(withByte(Arrays.copyOf(udp, 14 + 24), 14, 0x4F)));
        assertEquals(DropReason.IPV4_OPTIONS, parse(withByte(udp, 14, 0x46)));
        assertEquals(DropReason.IPV4_BAD_TOTAL_LENGTH, parse(withByte(udp, 17, udp.length)));      // longer than the frame
        assertEquals(DropReason.IPV4_BAD_TOTAL_LENGTH, parse(withByte(udp, 17, 19)));              // shorter than the header
        assertEquals(DropReason.IPV4_FRAGMENT, parse(withByte(udp, 20, 0x20)));                     // MF
        assertEquals(DropReason.IPV4_FRAGMENT, parse(withByte(udp, 21, 0x01)));                     // offset 1
        assertEquals(DropReason.IPV4_BAD_CHECKSUM, parse(withByte(udp, 14 + 11, udp[14 + 11] ^ 1)));
        assertEquals(DropReason.ARP_MALFORMED, parse(withByte(TestFrames.arpRequestFrame(POD_MAC_A, POD_A, GATEWAY), 15, 6)));
        assertEquals(DropReason.FRAME_TOO_SHORT, parse(Arrays.copyOf(TestFrames.arpRequestFrame(POD_MAC_A, POD_A, GATEWAY), 41)));
        assertEquals(DropReason.IPV6_MALFORMED, parse(truncatedIpv6()));
    }

    static byte[] truncatedIpv6() {
        final byte[] frame = TestFrames.ethernet(SWITCH_MAC_0, POD_MAC_A, TestFrames.ETHER_IPV6, TestFrames.checksumlessIpv6(8));
        frame[14 + 5] = 100; // payload length beyond the frame
        return frame;
    }

    @Test
    void truncatedTransportHeadersAreDropped() {
        final byte[] shortUdp = TestFrames.ipv4Frame(SWITCH_MAC_0, POD_MAC_A, POD_A, POD_B, 64, TestFrames.PROTO_UDP, new byte[7]);
        assertEquals(DropReason.L4_TOO_SHORT, parse(shortUdp));
        final byte[] shortIcmp = TestFrames.ipv4Frame(SWITCH_MAC_0, POD_MAC_A, POD_A, POD_B, 64, TestFrames.PROTO_ICMP, new byte[4]);
        assertEquals(DropReason.L4_TOO_SHORT, parse(shortIcmp));
        final byte[] tcp = TestFrames.ipv4Frame(SWITCH_MAC_0, POD_MAC_A, POD_A, POD_B, 64, TestFrames.PROTO_TCP,
                TestFrames.tcp(POD_A, POD_B, 1, 2, 0, 0, 2, 100, new byte[0]));
        assertEquals(null, parse(tcp));
        assertEquals(DropReason.L4_TOO_SHORT, parse(withByte(tcp, 34 + 12, 0x40)));  // data offset 4 words
        assertEquals(DropReason.L4_TOO_SHORT, parse(withByte(tcp, 34 + 12, 0x60)));  // options beyond the datagram
        final byte[] otherProtocol = TestFrames.ipv4Frame(SWITCH_MAC_0, POD_MAC_A, POD_A, POD_B, 64, 47, new byte[0]);
        assertEquals(null, parse(otherProtocol));
    }

    @Test
    void ethernetPaddingBeyondTheDatagramIsAccepted() {
        final byte[] small = TestFrames.udpFrame(SWITCH_MAC_0, POD_MAC_A, POD_A, POD_B, 64, 1, 2, new byte[0]); // 42 bytes
        assertEquals(null, parse(Arrays.copyOf(small, 60)));
    }

    @Test
    void dropsAreCompactedOutKeepingTheSurvivorsInOrder() {
        try (StageHarness harness = new StageHarness(table())) {
            final byte[][] frames = new byte[10][];
            for (int n = 0; n < frames.length; n++) {
                frames[n] = TestFrames.udpFrame(SWITCH_MAC_0, POD_MAC_A, POD_A, POD_B, 64, 1000 + n, 2000, new byte[4]);
                harness.add(0, n % 3 == 0 ? Arrays.copyOf(frames[n], 20) : frames[n]);
            }
            final int poolBefore = harness.framesInPool();
            assertEquals(6, harness.run(harness.stage(ParseStage::new)));
            assertEquals(4, harness.drops(DropReason.FRAME_TOO_SHORT));
            assertEquals(poolBefore + 4, harness.framesInPool(), "dropped frames went back to the pool");
            int i = 0;
            for (int n = 0; n < frames.length; n++) {
                if (n % 3 != 0) {
                    assertArrayEquals(frames[n], harness.frame(i++));
                }
            }
            for (int k = 0; k < harness.batch().size(); k++) {
                harness.context().pool().release(harness.batch().address[k]);
            }
            harness.batch().clear();
        }
    }
}
