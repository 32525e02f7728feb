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
