package io.isthmus.fastpath.packet;

import java.lang.foreign.MemorySegment;

/**
 * Rewrites the addresses and ports of an IPv4 TCP, UDP or ICMP echo packet in place (NAT), with
 * the IPv4 header checksum and the transport checksum patched incrementally (RFC 1624): only the
 * fields that change are written, and each change costs one checksum update.
 *
 * <p>Ports: TCP and UDP source/destination ports; for ICMP echo the identifier plays both roles
 * (its "source port" is the identifier of a request, its "destination port" of a reply), and ICMP's
 * checksum covers no pseudo-header, so an address change does not touch it. A UDP checksum of 0
 * ("none") stays 0.
 *
 * <p><b>Thread-safety:</b> stateless.
 */
public final class Ipv4TupleRewriter {
    private Ipv4TupleRewriter() {
    }

    /**
     * Translates an ICMP error (its IPv4 header at {@code l3}, ICMP at {@code l3 + 20}, quoting an
     * option-less IPv4 TCP/UDP header and its first 8 bytes) for a NATed connection: the quoted
     * packet becomes {@code quotedSrc:quotedSrcPort → quotedDst:quotedDstPort} (its header checksum
     * recomputed, a quoted UDP checksum patched, RFC 1624), the outer destination becomes
     * {@code quotedSrc}, and the outer source, when it was the quoted packet's destination (the
     * host that refused it), becomes {@code quotedDst}. The ICMP checksum is computed again over
     * the {@code icmpBytes} of the message.
     */
    public static void rewriteIcmpError(MemorySegment segment, long l3, int icmpBytes, int quotedSrc, int quotedSrcPort,
                                        int quotedDst, int quotedDstPort) {
        final long icmp = l3 + Ipv4Descriptor.MIN_HEADER_LENGTH;
        final long quote = icmp + Icmpv4Descriptor.HEADER_LENGTH;
        final long quoteL4 = quote + Ipv4Descriptor.MIN_HEADER_LENGTH;
        final int oldQuotedDst = NetworkOrder.u32(segment, quote + Ipv4Descriptor.DST_OFFSET);
        final int outerSrc = NetworkOrder.u32(segment, l3 + Ipv4Descriptor.SRC_OFFSET);
        final int quotedProtocol = NetworkOrder.u8(segment, quote + Ipv4Descriptor.PROTOCOL_OFFSET);
        if (quotedProtocol == Ipv4Descriptor.PROTOCOL_UDP) {
            // The quoted UDP checksum covers the quoted addresses and ports: patch it like a datagram's.
            final int oldSrc = NetworkOrder.u32(segment, quote + Ipv4Descriptor.SRC_OFFSET);
            final int oldSrcPort = NetworkOrder.u16(segment, quoteL4);
            final int oldDstPort = NetworkOrder.u16(segment, quoteL4 + 2);
            int sum = NetworkOrder.u16(segment, quoteL4 + UdpDescriptor.CHECKSUM_OFFSET);
            if (sum != 0) {
                sum = InternetChecksum.update32(sum, oldSrc, quotedSrc);
                sum = InternetChecksum.update32(sum, oldQuotedDst, quotedDst);
                sum = InternetChecksum.update16(sum, oldSrcPort, quotedSrcPort);
                sum = InternetChecksum.update16(sum, oldDstPort, quotedDstPort);
                NetworkOrder.putU16(segment, quoteL4 + UdpDescriptor.CHECKSUM_OFFSET, sum == 0 ? 0xFFFF : sum);
            }
        }
        NetworkOrder.putU32(segment, quote + Ipv4Descriptor.SRC_OFFSET, quotedSrc);
        NetworkOrder.putU32(segment, quote + Ipv4Descriptor.DST_OFFSET, quotedDst);
        NetworkOrder.putU16(segment, quoteL4, quotedSrcPort);
        NetworkOrder.putU16(segment, quoteL4 + 2, quotedDstPort);
        NetworkOrder.putU16(segment, quote + Ipv4Descriptor.CHECKSUM_OFFSET, 0);
        NetworkOrder.putU16(segment, quote + Ipv4Descriptor.CHECKSUM_OFFSET,
                InternetChecksum.compute(segment, quote, Ipv4Descriptor.MIN_HEADER_LENGTH));
        final int newOuterSrc = outerSrc == oldQuotedDst ? quotedDst : outerSrc;
        rewriteAddresses(segment, l3, newOuterSrc, quotedSrc);
        NetworkOrder.putU16(segment, icmp + Icmpv4Descriptor.CHECKSUM_OFFSET, 0);
        NetworkOrder.putU16(segment, icmp + Icmpv4Descriptor.CHECKSUM_OFFSET, InternetChecksum.compute(segment, icmp, icmpBytes));
    }

    /** New IPv4 source and destination with the header checksum patched (no transport header touched). */
    private static void rewriteAddresses(MemorySegment segment, long l3, int srcIp, int dstIp) {
        final int oldSrc = NetworkOrder.u32(segment, l3 + Ipv4Descriptor.SRC_OFFSET);
        final int oldDst = NetworkOrder.u32(segment, l3 + Ipv4Descriptor.DST_OFFSET);
        int checksum = NetworkOrder.u16(segment, l3 + Ipv4Descriptor.CHECKSUM_OFFSET);
        checksum = InternetChecksum.update32(checksum, oldSrc, srcIp);
        checksum = InternetChecksum.update32(checksum, oldDst, dstIp);
        NetworkOrder.putU32(segment, l3 + Ipv4Descriptor.SRC_OFFSET, srcIp);
        NetworkOrder.putU32(segment, l3 + Ipv4Descriptor.DST_OFFSET, dstIp);
        NetworkOrder.putU16(segment, l3 + Ipv4Descriptor.CHECKSUM_OFFSET, checksum);
    }

    /**
     * Rewrites the packet whose IPv4 header is at {@code l3} and transport header at {@code l4} to
     * source {@code srcIp:srcPort} and destination {@code dstIp:dstPort}.
     */
    public static void rewrite(MemorySegment segment, long l3, long l4, int protocol,
                               int srcIp, int srcPort, int dstIp, int dstPort) {
        final int oldSrc = NetworkOrder.u32(segment, l3 + Ipv4Descriptor.SRC_OFFSET);
        final int oldDst = NetworkOrder.u32(segment, l3 + Ipv4Descriptor.DST_OFFSET);
        final long l4ChecksumAt = switch (protocol) {
            case Ipv4Descriptor.PROTOCOL_TCP -> l4 + TcpDescriptor.CHECKSUM_OFFSET;
            case Ipv4Descriptor.PROTOCOL_UDP -> l4 + UdpDescriptor.CHECKSUM_OFFSET;
            case Ipv4Descriptor.PROTOCOL_ICMP -> l4 + Icmpv4Descriptor.CHECKSUM_OFFSET;
            default -> -1;
        };
        final boolean pseudoHeader = protocol == Ipv4Descriptor.PROTOCOL_TCP || protocol == Ipv4Descriptor.PROTOCOL_UDP;
        final boolean udpWithoutChecksum = protocol == Ipv4Descriptor.PROTOCOL_UDP && NetworkOrder.u16(segment, l4ChecksumAt) == 0;
        int ipChecksum = NetworkOrder.u16(segment, l3 + Ipv4Descriptor.CHECKSUM_OFFSET);
        int l4Checksum = l4ChecksumAt < 0 ? 0 : NetworkOrder.u16(segment, l4ChecksumAt);
        if (oldSrc != srcIp) {
            NetworkOrder.putU32(segment, l3 + Ipv4Descriptor.SRC_OFFSET, srcIp);
            ipChecksum = InternetChecksum.update32(ipChecksum, oldSrc, srcIp);
            if (pseudoHeader) {
                l4Checksum = InternetChecksum.update32(l4Checksum, oldSrc, srcIp);
            }
        }
        if (oldDst != dstIp) {
            NetworkOrder.putU32(segment, l3 + Ipv4Descriptor.DST_OFFSET, dstIp);
            ipChecksum = InternetChecksum.update32(ipChecksum, oldDst, dstIp);
            if (pseudoHeader) {
                l4Checksum = InternetChecksum.update32(l4Checksum, oldDst, dstIp);
            }
        }
        NetworkOrder.putU16(segment, l3 + Ipv4Descriptor.CHECKSUM_OFFSET, ipChecksum);
        if (pseudoHeader) {
            final int oldSrcPort = NetworkOrder.u16(segment, l4);
            final int oldDstPort = NetworkOrder.u16(segment, l4 + 2);
            if (oldSrcPort != srcPort) {
                NetworkOrder.putU16(segment, l4, srcPort);
                l4Checksum = InternetChecksum.update16(l4Checksum, oldSrcPort, srcPort);
            }
            if (oldDstPort != dstPort) {
                NetworkOrder.putU16(segment, l4 + 2, dstPort);
                l4Checksum = InternetChecksum.update16(l4Checksum, oldDstPort, dstPort);
            }
        } else if (protocol == Ipv4Descriptor.PROTOCOL_ICMP) {
            final int type = NetworkOrder.u8(segment, l4);
            final int identifier = type == Icmpv4Descriptor.TYPE_ECHO_REPLY ? dstPort : srcPort;
            final int oldIdentifier = NetworkOrder.u16(segment, l4 + Icmpv4Descriptor.IDENTIFIER_OFFSET);
            if (oldIdentifier != identifier) {
                NetworkOrder.putU16(segment, l4 + Icmpv4Descriptor.IDENTIFIER_OFFSET, identifier);
                l4Checksum = InternetChecksum.update16(l4Checksum, oldIdentifier, identifier);
            }
        }
        if (l4ChecksumAt >= 0 && !udpWithoutChecksum) {
            if (protocol == Ipv4Descriptor.PROTOCOL_UDP && l4Checksum == 0) {
                l4Checksum = 0xFFFF; // RFC 768: a computed 0 is sent as all ones
            }
            NetworkOrder.putU16(segment, l4ChecksumAt, l4Checksum);
        }
    }
}
