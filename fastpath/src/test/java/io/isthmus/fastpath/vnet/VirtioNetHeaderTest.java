package io.isthmus.fastpath.vnet;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The virtio_net_hdr bytes for TCP super-packets, checked against the uapi field order written out by hand. */
class VirtioNetHeaderTest {

    /** flags, gso_type, then hdr_len, gso_size, csum_start, csum_offset as 16-bit values in the machine's order. */
    private static byte[] expected(int flags, int gsoType, int hdrLen, int gsoSize, int csumStart, int csumOffset) {
        final ByteBuffer b = ByteBuffer.allocate(10).order(ByteOrder.nativeOrder());
        b.put((byte) flags).put((byte) gsoType).putShort((short) hdrLen).putShort((short) gsoSize)
                .putShort((short) csumStart).putShort((short) csumOffset);
        return b.array();
    }

    private static byte[] written(int l3Bytes, int tcpHeaderBytes, int mss, boolean ipv6, boolean ecn) {
        try (Arena arena = Arena.ofConfined()) {
            final MemorySegment segment = arena.allocate(32);
            segment.fill((byte) 0x5A);
            VirtioNetHeader.writeTcpGso(segment, 3, 14, l3Bytes, tcpHeaderBytes, mss, ipv6, ecn);
            assertEquals((byte) 0x5A, segment.get(ValueLayout.JAVA_BYTE, 2), "nothing written before the header");
            assertEquals((byte) 0x5A, segment.get(ValueLayout.JAVA_BYTE, 13), "nothing written after its 10 bytes");
            return segment.asSlice(3, VirtioNetHeaderDescriptor.LENGTH_BYTES).toArray(ValueLayout.JAVA_BYTE);
        }
    }

    @Test
    void ipv4TcpWithTimestampsAsksForSegmentationAndAPartialChecksum() {
        // Ethernet 14 + IPv4 20 + TCP 32: the checksum starts at 34, at offset 16 of the TCP header
        assertArrayEquals(expected(1, 1, 66, 1448, 34, 16), written(20, 32, 1448, false, false));
    }

    @Test
    void cwrAddsTheEcnBitAndIpv6PicksTcpv6() {
        assertArrayEquals(expected(1, 0x81, 66, 1448, 34, 16), written(20, 32, 1448, false, true));
        assertArrayEquals(expected(1, 4, 94, 1428, 54, 16), written(40, 40, 1428, true, false));
    }

    @Test
    void theLayoutIsTheUapiStruct() {
        assertEquals(10, VirtioNetHeaderDescriptor.LAYOUT.byteSize());
        assertEquals(VirtioNetHeaderDescriptor.CSUM_OFFSET_OFFSET,
                VirtioNetHeaderDescriptor.LAYOUT.byteOffset(java.lang.foreign.MemoryLayout.PathElement.groupElement("csum_offset")));
        assertEquals(64, MmsgDescriptor.MMSGHDR.byteSize());
        assertEquals(MmsgDescriptor.LEN_OFFSET, MmsgDescriptor.MMSGHDR.byteOffset(java.lang.foreign.MemoryLayout.PathElement.groupElement("msg_len")));
    }
}
