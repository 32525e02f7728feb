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
        final long requestDstMac = NetworkOrder.mac(segment, frame + EthernetDescriptor.DST_MAC_OFFSET);
        final long requestSrcMac = NetworkOrder.mac(segment, frame + EthernetDescriptor.SRC_MAC_OFFSET);
        NetworkOrder.putMac(segment, frame + EthernetDescriptor.DST_MAC_OFFSET, requestSrcMac);
        NetworkOrder.putMac(segment, frame + EthernetDescriptor.SRC_MAC_OFFSET, requestDstMac);

        final long ip = frame + IPV4_OFFSET;
        final int requestSrc = NetworkOrder.u32(segment, ip + Ipv4Descriptor.SRC_OFFSET);
        final int requestDst = NetworkOrder.u32(segment, ip + Ipv4Descriptor.DST_OFFSET);
        final int udpLength = UdpDescriptor.HEADER_LENGTH + payloadLengthBytes;
        NetworkOrder.putU32(segment, ip, 0x4500_0000 | (Ipv4Descriptor.MIN_HEADER_LENGTH + udpLength));
        NetworkOrder.putU32(segment, ip + Ipv4Descriptor.IDENTIFICATION_OFFSET, Ipv4Descriptor.FLAG_DONT_FRAGMENT);
        NetworkOrder.putU32(segment, ip + Ipv4Descriptor.TTL_OFFSET, (REPLY_TTL << 24) | (Ipv4Descriptor.PROTOCOL_UDP << 16));
        NetworkOrder.putU32(segment, ip + Ipv4Descriptor.SRC_OFFSET, requestDst);
        NetworkOrder.putU32(segment, ip + Ipv4Descriptor.DST_OFFSET, requestSrc);
        NetworkOrder.putU16(segment, ip + Ipv4Descriptor.CHECKSUM_OFFSET,
                InternetChecksum.compute(segment, ip, Ipv4Descriptor.MIN_HEADER_LENGTH));

        final long udp = frame + UDP_OFFSET;
        final int ports = NetworkOrder.u32(segment, udp);
        NetworkOrder.putU32(segment, udp, (ports << 16) | (ports >>> 16));
        NetworkOrder.putU32(segment, udp + UdpDescriptor.LENGTH_OFFSET, udpLength << 16);
        final long sum = InternetChecksum.pseudoHeaderSumIpv4(requestDst, requestSrc, Ipv4Descriptor.PROTOCOL_UDP, udpLength)
                + sum8(segment, udp, udpLength);
        final int checksum = ~InternetChecksum.fold(sum) & 0xFFFF;
        NetworkOrder.putU16(segment, udp + UdpDescriptor.CHECKSUM_OFFSET, checksum == 0 ? 0xFFFF : checksum);
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
