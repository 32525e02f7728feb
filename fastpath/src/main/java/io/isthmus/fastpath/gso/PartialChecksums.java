package io.isthmus.fastpath.gso;

import io.isthmus.fastpath.packet.EthernetDescriptor;
import io.isthmus.fastpath.packet.InternetChecksum;
import io.isthmus.fastpath.packet.Ipv4Descriptor;
import io.isthmus.fastpath.packet.NetworkOrder;
import io.isthmus.fastpath.packet.TcpDescriptor;
import io.isthmus.fastpath.packet.UdpDescriptor;

import java.lang.foreign.MemorySegment;

/**
 * Completes the TCP/UDP checksums a pod left to "hardware". A pod whose veth keeps TX checksum
 * offload on sends CHECKSUM_PARTIAL packets: the checksum field holds only the folded sum of the
 * IPv4 pseudo-header (what {@code ~csum_tcpudp_magic(...)} leaves for the device to finish), and
 * an AF_XDP socket receives the bytes as they are, with no metadata saying so. Forwarded as they
 * are, the receiving pod would drop them as corrupt.
 *
 * <p>A packet is taken for partial when its checksum field equals that pseudo-header sum; its full
 * checksum is then computed and written. Recomputing is harmless for the rare complete packet whose
 * checksum happens to equal the pseudo-header sum: the full checksum of intact data is the value
 * it already had. Frames that are not IPv4 TCP/UDP, fragments, UDP without checksum and
 * truncated frames are left alone (the parse stage judges them).
 *
 * <pre>
 *   partial:  check = fold(src + dst + proto + l4 length)          (the device adds the data)
 *   complete: check = ~fold(pseudo-header + L4 header and data, check taken as 0)
 * </pre>
 *
 * <p><b>Thread-safety:</b> stateless; no allocation; called by the worker on frames it owns.
 */
public final class PartialChecksums {
    private static final int L3 = EthernetDescriptor.HEADER_LENGTH;

    private PartialChecksums() {
    }

    /** Completes the L4 checksum of the frame at {@code frame} when it is partial; returns true when it wrote one. */
    public static boolean completeIfPartial(MemorySegment segment, long frame, int lengthBytes) {
        if (lengthBytes < L3 + Ipv4Descriptor.MIN_HEADER_LENGTH
                || NetworkOrder.u16(segment, frame + EthernetDescriptor.ETHER_TYPE_OFFSET) != EthernetDescriptor.ETHER_TYPE_IPV4) {
            return false;
        }
        final long ip = frame + L3;
        final int versionIhl = NetworkOrder.u8(segment, ip + Ipv4Descriptor.VERSION_IHL_OFFSET);
        final int ipHeaderBytes = (versionIhl & 0x0F) * 4;
        final int totalLength = NetworkOrder.u16(segment, ip + Ipv4Descriptor.TOTAL_LENGTH_OFFSET);
        if (versionIhl >>> 4 != Ipv4Descriptor.VERSION || ipHeaderBytes < Ipv4Descriptor.MIN_HEADER_LENGTH
                || totalLength > lengthBytes - L3 || totalLength < ipHeaderBytes
                || (NetworkOrder.u16(segment, ip + Ipv4Descriptor.FLAGS_FRAGMENT_OFFSET)
                    & (Ipv4Descriptor.FLAG_MORE_FRAGMENTS | Ipv4Descriptor.FRAGMENT_OFFSET_MASK)) != 0) {
            return false;
        }
        final int protocol = NetworkOrder.u8(segment, ip + Ipv4Descriptor.PROTOCOL_OFFSET);
        final int l4Bytes = totalLength - ipHeaderBytes;
        final long checksumAt;
        if (protocol == Ipv4Descriptor.PROTOCOL_TCP && l4Bytes >= TcpDescriptor.MIN_HEADER_LENGTH) {
            checksumAt = ip + ipHeaderBytes + TcpDescriptor.CHECKSUM_OFFSET;
        } else if (protocol == Ipv4Descriptor.PROTOCOL_UDP && l4Bytes >= UdpDescriptor.HEADER_LENGTH) {
            checksumAt = ip + ipHeaderBytes + UdpDescriptor.CHECKSUM_OFFSET;
        } else {
            return false;
        }
        final long pseudo = InternetChecksum.pseudoHeaderSumIpv4(NetworkOrder.u32(segment, ip + Ipv4Descriptor.SRC_OFFSET),
                NetworkOrder.u32(segment, ip + Ipv4Descriptor.DST_OFFSET), protocol, l4Bytes);
        final int field = NetworkOrder.u16(segment, checksumAt);
        if (field != InternetChecksum.fold(pseudo) || (field == 0 && protocol == Ipv4Descriptor.PROTOCOL_UDP)) {
            return false;
        }
        NetworkOrder.putU16(segment, checksumAt, 0);
        NetworkOrder.putU16(segment, checksumAt, fullChecksum(pseudo, segment, ip + ipHeaderBytes, l4Bytes, protocol));
        return true;
    }

    /** The checksum field for L4 bytes whose checksum field is zero: for UDP a computed 0 is sent as 0xFFFF (RFC 768). */
    static int fullChecksum(long pseudoHeaderSum, MemorySegment segment, long l4, int l4Bytes, int protocol) {
        final int checksum = ~InternetChecksum.fold(pseudoHeaderSum + OnesComplementSum.sum(segment, l4, l4Bytes)) & 0xFFFF;
        return checksum == 0 && protocol == Ipv4Descriptor.PROTOCOL_UDP ? 0xFFFF : checksum;
    }
}
