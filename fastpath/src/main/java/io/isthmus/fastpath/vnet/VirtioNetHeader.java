package io.isthmus.fastpath.vnet;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static io.isthmus.fastpath.vnet.VirtioNetHeaderDescriptor.CSUM_OFFSET_OFFSET;
import static io.isthmus.fastpath.vnet.VirtioNetHeaderDescriptor.CSUM_START_OFFSET;
import static io.isthmus.fastpath.vnet.VirtioNetHeaderDescriptor.FLAGS_OFFSET;
import static io.isthmus.fastpath.vnet.VirtioNetHeaderDescriptor.F_NEEDS_CSUM;
import static io.isthmus.fastpath.vnet.VirtioNetHeaderDescriptor.GSO_ECN;
import static io.isthmus.fastpath.vnet.VirtioNetHeaderDescriptor.GSO_SIZE_OFFSET;
import static io.isthmus.fastpath.vnet.VirtioNetHeaderDescriptor.GSO_TCPV4;
import static io.isthmus.fastpath.vnet.VirtioNetHeaderDescriptor.GSO_TCPV6;
import static io.isthmus.fastpath.vnet.VirtioNetHeaderDescriptor.GSO_TYPE_OFFSET;
import static io.isthmus.fastpath.vnet.VirtioNetHeaderDescriptor.HDR_LEN_OFFSET;

/**
 * Writes a {@link VirtioNetHeaderDescriptor virtio_net_hdr} for a TCP super-packet: the checksum
 * left partial (the TCP checksum field holds the pseudo-header sum; the receiver or the kernel's
 * segmentation finishes it) and segmentation into {@code mssBytes} payload per segment.
 *
 * <pre>
 *   frame:  | eth (14) | ip (l3Bytes) | tcp (l4HeaderBytes) | payload ... |
 *           0          14             csum_start = 14 + l3Bytes
 *   flags = NEEDS_CSUM, gso_type = TCPV4|TCPV6 (|ECN), hdr_len = csum_start + l4HeaderBytes,
 *   gso_size = mssBytes, csum_offset = 16 (the checksum field in the TCP header)
 * </pre>
 *
 * <p><b>Thread-safety:</b> stateless; no allocation (the fast path calls it per super-packet).
 */
public final class VirtioNetHeader {
    /** The TCP checksum field's offset in the TCP header. */
    public static final int TCP_CHECKSUM_OFFSET = 16;

    private static final ValueLayout.OfShort NATIVE_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED;

    private VirtioNetHeader() {
    }

    /**
     * Writes the header at {@code at} for a TCP segment whose IP header starts at {@code l3Offset}
     * (after the Ethernet header) and is {@code l3Bytes} long, followed by {@code tcpHeaderBytes} of
     * TCP header; {@code ipv6} picks TCPV6 over TCPV4; {@code ecn} (CWR set) adds the ECN flag.
     */
    public static void writeTcpGso(MemorySegment segment, long at, int l3Offset, int l3Bytes, int tcpHeaderBytes,
                                   int mssBytes, boolean ipv6, boolean ecn) {
        final int csumStart = l3Offset + l3Bytes;
        segment.set(ValueLayout.JAVA_BYTE, at + FLAGS_OFFSET, (byte) F_NEEDS_CSUM);
        segment.set(ValueLayout.JAVA_BYTE, at + GSO_TYPE_OFFSET, (byte) ((ipv6 ? GSO_TCPV6 : GSO_TCPV4) | (ecn ? GSO_ECN : 0)));
        segment.set(NATIVE_SHORT, at + HDR_LEN_OFFSET, (short) (csumStart + tcpHeaderBytes));
        segment.set(NATIVE_SHORT, at + GSO_SIZE_OFFSET, (short) mssBytes);
        segment.set(NATIVE_SHORT, at + CSUM_START_OFFSET, (short) csumStart);
        segment.set(NATIVE_SHORT, at + CSUM_OFFSET_OFFSET, (short) TCP_CHECKSUM_OFFSET);
    }

    /**
     * Writes the header of a packet that needs nothing (no segmentation, its checksums complete):
     * every field zero ({@code VIRTIO_NET_HDR_GSO_NONE}, no flags).
     */
    public static void writeNone(MemorySegment segment, long at) {
        segment.set(ValueLayout.JAVA_LONG_UNALIGNED, at, 0L); // flags, gso_type, hdr_len, gso_size, csum_start
        segment.set(NATIVE_SHORT, at + CSUM_OFFSET_OFFSET, (short) 0);
    }
}
