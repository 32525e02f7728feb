package io.isthmus.fastpath.packet;

import java.lang.foreign.MemorySegment;

/**
 * Turns a refused packet into the answer that refuses it, in the same frame: a TCP RST for TCP
 * (RFC 9293 3.10.7.1, as Linux's nf_send_reset builds it) or an ICMP destination unreachable /
 * port unreachable for anything else (RFC 792: the original IP header and the first 8 bytes of
 * its payload). The answer goes from the packet's destination back to its source, addresses and
 * ports swapped, TTL {@link #TTL}, checksums computed from scratch; Ethernet addresses are swapped
 * (the router's rewrite replaces them anyway). The caller has checked the packet is option-less
 * IPv4 with a complete transport header.
 *
 * <p><b>Thread-safety:</b> stateless.
 */
public final class RejectReplyWriter {
    public static final int TTL = 64;
    /** Frame length of the RST: Ethernet + IPv4 + TCP without options. */
    public static final int TCP_RESET_FRAME_BYTES = EthernetDescriptor.HEADER_LENGTH + Ipv4Descriptor.MIN_HEADER_LENGTH
            + TcpDescriptor.MIN_HEADER_LENGTH;
    /** Bytes of the refused datagram an ICMP error quotes: its IP header and 8 bytes of payload. */
    public static final int ICMP_QUOTE_BYTES = Ipv4Descriptor.MIN_HEADER_LENGTH + 8;
    /** Frame length of the ICMP error. */
    public static final int ICMP_UNREACHABLE_FRAME_BYTES = EthernetDescriptor.HEADER_LENGTH
            + Ipv4Descriptor.MIN_HEADER_LENGTH + Icmpv4Descriptor.HEADER_LENGTH + ICMP_QUOTE_BYTES;
    public static final int ICMP_CODE_PORT_UNREACHABLE = 3;

    private RejectReplyWriter() {
    }

    /** Rewrites the TCP segment in the frame at {@code frame} into its RST; returns the new frame length. */
    public static int tcpReset(MemorySegment segment, long frame) {
        final long l3 = frame + EthernetDescriptor.HEADER_LENGTH;
        final long l4 = l3 + Ipv4Descriptor.MIN_HEADER_LENGTH;
        final int src = NetworkOrder.u32(segment, l3 + Ipv4Descriptor.SRC_OFFSET);
        final int dst = NetworkOrder.u32(segment, l3 + Ipv4Descriptor.DST_OFFSET);
        final int totalLength = NetworkOrder.u16(segment, l3 + Ipv4Descriptor.TOTAL_LENGTH_OFFSET);
        final int srcPort = NetworkOrder.u16(segment, l4 + TcpDescriptor.SRC_PORT_OFFSET);
        final int dstPort = NetworkOrder.u16(segment, l4 + TcpDescriptor.DST_PORT_OFFSET);
        final long sequence = NetworkOrder.u32(segment, l4 + TcpDescriptor.SEQUENCE_OFFSET) & 0xFFFF_FFFFL;
        final long acknowledgment = NetworkOrder.u32(segment, l4 + TcpDescriptor.ACKNOWLEDGMENT_OFFSET) & 0xFFFF_FFFFL;
        final int flags = NetworkOrder.u8(segment, l4 + TcpDescriptor.FLAGS_OFFSET);
        final int dataBytes = totalLength - Ipv4Descriptor.MIN_HEADER_LENGTH
                - ((NetworkOrder.u8(segment, l4 + TcpDescriptor.DATA_OFFSET_OFFSET) >>> 4) << 2);
        final long rstSequence;
        final long rstAcknowledgment;
        final int rstFlags;
        if ((flags & TcpDescriptor.FLAG_ACK) != 0) {
            rstSequence = acknowledgment;
            rstAcknowledgment = 0;
            rstFlags = TcpDescriptor.FLAG_RST;
        } else {
            rstSequence = 0;
            rstAcknowledgment = (sequence + Math.max(0, dataBytes) + ((flags & TcpDescriptor.FLAG_SYN) != 0 ? 1 : 0)
                    + ((flags & TcpDescriptor.FLAG_FIN) != 0 ? 1 : 0)) & 0xFFFF_FFFFL;
            rstFlags = TcpDescriptor.FLAG_RST | TcpDescriptor.FLAG_ACK;
        }
        swapMacs(segment, frame);
        writeIpv4(segment, l3, Ipv4Descriptor.MIN_HEADER_LENGTH + TcpDescriptor.MIN_HEADER_LENGTH,
                Ipv4Descriptor.PROTOCOL_TCP, Ipv4Descriptor.FLAG_DONT_FRAGMENT, dst, src);
        NetworkOrder.putU16(segment, l4 + TcpDescriptor.SRC_PORT_OFFSET, dstPort);
        NetworkOrder.putU16(segment, l4 + TcpDescriptor.DST_PORT_OFFSET, srcPort);
        NetworkOrder.putU32(segment, l4 + TcpDescriptor.SEQUENCE_OFFSET, (int) rstSequence);
        NetworkOrder.putU32(segment, l4 + TcpDescriptor.ACKNOWLEDGMENT_OFFSET, (int) rstAcknowledgment);
        NetworkOrder.putU8(segment, l4 + TcpDescriptor.DATA_OFFSET_OFFSET, (TcpDescriptor.MIN_HEADER_LENGTH >>> 2) << 4);
        NetworkOrder.putU8(segment, l4 + TcpDescriptor.FLAGS_OFFSET, rstFlags);
        NetworkOrder.putU16(segment, l4 + TcpDescriptor.WINDOW_OFFSET, 0);
        NetworkOrder.putU16(segment, l4 + TcpDescriptor.CHECKSUM_OFFSET, 0);
        NetworkOrder.putU16(segment, l4 + TcpDescriptor.URGENT_POINTER_OFFSET, 0);
        final long pseudo = InternetChecksum.pseudoHeaderSumIpv4(dst, src, Ipv4Descriptor.PROTOCOL_TCP, TcpDescriptor.MIN_HEADER_LENGTH);
        NetworkOrder.putU16(segment, l4 + TcpDescriptor.CHECKSUM_OFFSET,
                InternetChecksum.compute(pseudo, segment, l4, TcpDescriptor.MIN_HEADER_LENGTH));
        return TCP_RESET_FRAME_BYTES;
    }

    /**
     * Rewrites the datagram in the frame at {@code frame} into an ICMP destination unreachable with
     * {@code code}, quoting the datagram's IP header and first 8 payload bytes. The frame must have
     * room for {@link #ICMP_UNREACHABLE_FRAME_BYTES}. Returns the new frame length.
     */
    public static int icmpUnreachable(MemorySegment segment, long frame, int code) {
        final long l3 = frame + EthernetDescriptor.HEADER_LENGTH;
        final long icmp = l3 + Ipv4Descriptor.MIN_HEADER_LENGTH;
        final long quote = icmp + Icmpv4Descriptor.HEADER_LENGTH;
        final int src = NetworkOrder.u32(segment, l3 + Ipv4Descriptor.SRC_OFFSET);
        final int dst = NetworkOrder.u32(segment, l3 + Ipv4Descriptor.DST_OFFSET);
        MemorySegment.copy(segment, l3, segment, quote, ICMP_QUOTE_BYTES); // overlapping: copied as if through a buffer
        swapMacs(segment, frame);
        final int icmpBytes = Icmpv4Descriptor.HEADER_LENGTH + ICMP_QUOTE_BYTES;
        writeIpv4(segment, l3, Ipv4Descriptor.MIN_HEADER_LENGTH + icmpBytes, Ipv4Descriptor.PROTOCOL_ICMP, 0, dst, src);
        NetworkOrder.putU8(segment, icmp + Icmpv4Descriptor.TYPE_OFFSET, Icmpv4Descriptor.TYPE_DESTINATION_UNREACHABLE);
        NetworkOrder.putU8(segment, icmp + Icmpv4Descriptor.CODE_OFFSET, code);
        NetworkOrder.putU16(segment, icmp + Icmpv4Descriptor.CHECKSUM_OFFSET, 0);
        NetworkOrder.putU32(segment, icmp + Icmpv4Descriptor.IDENTIFIER_OFFSET, 0); // "unused"
        NetworkOrder.putU16(segment, icmp + Icmpv4Descriptor.CHECKSUM_OFFSET, InternetChecksum.compute(segment, icmp, icmpBytes));
        return ICMP_UNREACHABLE_FRAME_BYTES;
    }

    private static void swapMacs(MemorySegment segment, long frame) {
        final long dstMac = NetworkOrder.mac(segment, frame + EthernetDescriptor.DST_MAC_OFFSET);
        final long srcMac = NetworkOrder.mac(segment, frame + EthernetDescriptor.SRC_MAC_OFFSET);
        NetworkOrder.putMac(segment, frame + EthernetDescriptor.DST_MAC_OFFSET, srcMac);
        NetworkOrder.putMac(segment, frame + EthernetDescriptor.SRC_MAC_OFFSET, dstMac);
    }

    private static void writeIpv4(MemorySegment segment, long l3, int totalLength, int protocol, int flags, int src, int dst) {
        NetworkOrder.putU32(segment, l3, 0x4500_0000 | totalLength);
        NetworkOrder.putU32(segment, l3 + Ipv4Descriptor.IDENTIFICATION_OFFSET, flags);
        NetworkOrder.putU32(segment, l3 + Ipv4Descriptor.TTL_OFFSET, TTL << 24 | protocol << 16);
        NetworkOrder.putU32(segment, l3 + Ipv4Descriptor.SRC_OFFSET, src);
        NetworkOrder.putU32(segment, l3 + Ipv4Descriptor.DST_OFFSET, dst);
        NetworkOrder.putU16(segment, l3 + Ipv4Descriptor.CHECKSUM_OFFSET,
                InternetChecksum.compute(segment, l3, Ipv4Descriptor.MIN_HEADER_LENGTH));
    }
}
