package io.isthmus.fastpath.gso;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PartialChecksumsTest {
    @Test
    void completesAPartialTcpChecksum() {
        for (int payload : new int[] {0, 1, 2, 7, 1447, 1448}) {
            final byte[] frame = SuperPackets.partialTcpFrame(1000, 0x18, 1, SuperPackets.randomPayload(payload, payload));
            assertFalse(SuperPackets.checksumsVerify(frame), "the test frame starts partial");
            final byte[] out = run(frame, true);
            assertTrue(SuperPackets.checksumsVerify(out), "payload " + payload);
        }
    }

    @Test
    void completesAPartialUdpChecksum() {
        final byte[] out = run(SuperPackets.partialUdpFrame(SuperPackets.randomPayload(333, 5)), true);
        assertTrue(SuperPackets.checksumsVerify(out));
    }

    @Test
    void leavesCompleteChecksumsFragmentsAndOtherFramesAlone() {
        final byte[] complete = run(SuperPackets.partialTcpFrame(5, 0x10, 1, SuperPackets.randomPayload(100, 1)), true);
        run(complete, false); // already complete: untouched

        final byte[] fragment = SuperPackets.partialTcpFrame(5, 0x10, 1, SuperPackets.randomPayload(100, 2));
        fragment[SuperPackets.ETH + 6] |= 0x20; // more fragments
        run(fragment, false);

        final byte[] udpWithoutChecksum = SuperPackets.partialUdpFrame(SuperPackets.randomPayload(20, 3));
        udpWithoutChecksum[SuperPackets.ETH + 20 + 6] = 0;
        udpWithoutChecksum[SuperPackets.ETH + 20 + 7] = 0;
        run(udpWithoutChecksum, false);

        final byte[] truncated = SuperPackets.partialTcpFrame(5, 0x10, 1, SuperPackets.randomPayload(100, 4));
        run(java.util.Arrays.copyOf(truncated, truncated.length - 10), false);

        final byte[] arp = new byte[60];
        arp[12] = 0x08;
        arp[13] = 0x06;
        run(arp, false);
    }

    /** Runs the completion over {@code frame} at an odd offset; asserts whether it wrote; returns the frame after. */
    private static byte[] run(byte[] frame, boolean expectWritten) {
        try (Arena arena = Arena.ofConfined()) {
            final MemorySegment segment = arena.allocate(frame.length + 301);
            MemorySegment.copy(frame, 0, segment, ValueLayout.JAVA_BYTE, 301, frame.length);
            final boolean written = PartialChecksums.completeIfPartial(segment, 301, frame.length);
            final byte[] out = segment.asSlice(301, frame.length).toArray(ValueLayout.JAVA_BYTE);
            if (expectWritten) {
                assertTrue(written);
            } else {
                assertFalse(written);
                assertArrayEquals(frame, out);
            }
            return out;
        }
    }
}
