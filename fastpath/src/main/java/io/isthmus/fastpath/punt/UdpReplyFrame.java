package io.isthmus.fastpath.punt;

import io.isthmus.fastpath.packet.EthernetDescriptor;
import io.isthmus.fastpath.packet.InternetChecksum;
import io.isthmus.fastpath.packet.Ipv4Descriptor;
import io.isthmus.fastpath.packet.NetworkOrder;
import io.isthmus.fastpath.packet.UdpDescriptor;

import java.lang.foreign.MemorySegment;

/**
 * Turns a UDP request frame into its reply in place, once the UDP payload has been overwritten
 * by the reply: the fast path's DNS stage does it inside the UMEM frame, the slow path's
 * forwarder in the copy it was punted.
 *
 * <pre>
 *   frame+0   Ethernet   dst ⇄ src MAC, EtherType kept (IPv4)
 *   frame+14  IPv4       version/IHL 0x45, TOS 0, total length = 28 + payload, identification 0,
 *                        DF, TTL 64, protocol 17, src ⇄ dst, header checksum computed
 *   frame+34  UDP        src ⇄ dst port, length = 8 + payload, checksum computed (0 sent as 0xFFFF)
 *   frame+42  payload    the reply (written by the caller)
 * </pre>
 *
 * The request must be IPv4 without options over untagged Ethernet (what the parse stage lets
 * through as IPv4 with {@code l4Offset == 34}).
 *
 * <p><b>Thread-safety:</b> stateless; the caller owns the frame. Allocates nothing, throws nothing.
 */
public final class UdpReplyFrame {
    public static final int IPV4_OFFSET = EthernetDescriptor.HEADER_LENGTH;
    public static final int UDP_OFFSET = IPV4_OFFSET + Ipv4Descriptor.MIN_HEADER_LENGTH;
    /** Where the UDP payload starts: 42. */
    public static final int PAYLOAD_OFFSET = UDP_OFFSET + UdpDescriptor.HEADER_LENGTH;
    public static final int REPLY_TTL = 64;

    private UdpReplyFrame() {
    }

    /**
     * @param frame              the frame's first byte (Ethernet header) in {@code segment}
     * @param payloadLengthBytes the reply's length, already at {@code frame + PAYLOAD_OFFSET}
     * @return the reply frame's length in bytes
     */
    public static int turnAround(MemorySegment segment, long frame, int payloadLengthBytes) {
        // Ethernet: swap the two MACs as one 64-bit and one 32-bit word (dst | src[0..1], src[2..5]).
        final long macWord = segment.get(NetworkOrder.U64, frame);
        final long requestDstMac = macWord >>> 16;
        final long requestSrcMac = ((macWord & 0xFFFF) << 32) | (NetworkOrder.u32(segment, frame + 8) & 0xFFFF_FFFFL);
        segment.set(NetworkOrder.U64, frame, (requestSrcMac << 16) | (requestDstMac >>> 32));
        NetworkOrder.putU32(segment, frame + 8, (int) requestDstMac);

        // IPv4: every field of the reply header is known, so its checksum is summed from the values.
        final long ip = frame + IPV4_OFFSET;
        final int requestSrc = NetworkOrder.u32(segment, ip + Ipv4Descriptor.SRC_OFFSET);
        final int requestDst = NetworkOrder.u32(segment, ip + Ipv4Descriptor.DST_OFFSET);
        final int udpLength = UdpDescriptor.HEADER_LENGTH + payloadLengthBytes;
        final int totalLength = Ipv4Descriptor.MIN_HEADER_LENGTH + udpLength;
        final int ttlProtocol = (REPLY_TTL << 8) | Ipv4Descriptor.PROTOCOL_UDP;
        final long addresses = (requestSrc >>> 16) + (requestSrc & 0xFFFF) + (requestDst >>> 16) + (requestDst & 0xFFFF);
        final int ipChecksum = ~InternetChecksum.fold(0x4500L + totalLength + Ipv4Descriptor.FLAG_DONT_FRAGMENT + ttlProtocol
                + addresses) & 0xFFFF;
        NetworkOrder.putU32(segment, ip, 0x4500_0000 | totalLength);
        NetworkOrder.putU32(segment, ip + Ipv4Descriptor.IDENTIFICATION_OFFSET, Ipv4Descriptor.FLAG_DONT_FRAGMENT);
        NetworkOrder.putU32(segment, ip + Ipv4Descriptor.TTL_OFFSET, (ttlProtocol << 16) | ipChecksum);
        NetworkOrder.putU32(segment, ip + Ipv4Descriptor.SRC_OFFSET, requestDst);
        NetworkOrder.putU32(segment, ip + Ipv4Descriptor.DST_OFFSET, requestSrc);

        // UDP: ports swapped; checksum = pseudo-header + header (both from values) + the payload.
        final long udp = frame + UDP_OFFSET;
        final int ports = NetworkOrder.u32(segment, udp);
        final int swappedPorts = (ports << 16) | (ports >>> 16);
        NetworkOrder.putU32(segment, udp, swappedPorts);
        final long sum = addresses + Ipv4Descriptor.PROTOCOL_UDP + udpLength      // pseudo-header
                + (swappedPorts >>> 16) + (swappedPorts & 0xFFFF) + udpLength      // header, checksum 0
                + sum8(segment, udp + UdpDescriptor.HEADER_LENGTH, payloadLengthBytes);
        final int checksum = ~InternetChecksum.fold(sum) & 0xFFFF;
        NetworkOrder.putU32(segment, udp + UdpDescriptor.LENGTH_OFFSET, (udpLength << 16) | (checksum == 0 ? 0xFFFF : checksum));
        return PAYLOAD_OFFSET + payloadLengthBytes;
    }

    /**
     * The one's complement sum (unfolded) of {@code lengthBytes} bytes, eight at a time: each
     * big-endian 64-bit word adds its two 32-bit halves (RFC 1071: any word size folds to the same
     * 16-bit sum). Half the loop trips of a 32-bit sum on a ~100-byte DNS reply. A frame holds at
     * most 2048 bytes, so the running sum cannot overflow a long.
     */
    static long sum8(MemorySegment segment, long offset, int lengthBytes) {
        long sum = 0;
        int i = 0;
        for (; i + 8 <= lengthBytes; i += 8) {
            final long word = segment.get(NetworkOrder.U64, offset + i);
            sum += (word >>> 32) + (word & 0xFFFF_FFFFL);
        }
        return sum + InternetChecksum.sum(segment, offset + i, lengthBytes - i);
    }
}
