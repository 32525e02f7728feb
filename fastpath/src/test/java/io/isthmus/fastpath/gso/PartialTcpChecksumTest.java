package io.isthmus.fastpath.gso;

import io.isthmus.fastpath.packet.InternetChecksum;
import io.isthmus.fastpath.packet.NetworkOrder;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A partial checksum travels the pipeline complemented: a NAT rewrite's RFC 1624 update, applied to
 * the complemented field, leaves (once complemented back) the partial checksum of the new addresses.
 */
class PartialTcpChecksumTest {
    private static final int ETH = 14;

    @Test
    void aRewriteOfTheComplementedFieldGivesThePartialChecksumOfTheNewAddresses() {
        final byte[] frame = SuperPackets.partialTcpFrame(1000, 0x10, 1, SuperPackets.randomPayload(3000, 3));
        try (Arena arena = Arena.ofConfined()) {
            final MemorySegment m = arena.allocate(frame.length);
            MemorySegment.copy(frame, 0, m, ValueLayout.JAVA_BYTE, 0, frame.length);
            assertTrue(PartialTcpChecksum.isPartial(m, 0, 20));
            PartialTcpChecksum.complement(m, 0, 20);
            assertFalse(PartialTcpChecksum.isPartial(m, 0, 20), "complemented while in the pipeline");

            final int newDst = 0x0A_60_00_09; // DNAT to a backend, as Ipv4TupleRewriter does it
            final long checksumAt = ETH + 20 + 16;
            NetworkOrder.putU16(m, checksumAt, InternetChecksum.update32(NetworkOrder.u16(m, checksumAt), SuperPackets.DST_IP, newDst));
            NetworkOrder.putU32(m, ETH + 16, newDst);

            PartialTcpChecksum.complement(m, 0, 20);
            assertEquals(SuperPackets.foldedPseudo(SuperPackets.SRC_IP, newDst, 6, 32 + 3000), NetworkOrder.u16(m, checksumAt));
        }
    }
}
