package io.isthmus.fastpath.stage;

import io.isthmus.fastpath.packet.ArpDescriptor;
import io.isthmus.fastpath.packet.ArpFlyweight;
import io.isthmus.fastpath.packet.EthernetDescriptor;
import io.isthmus.fastpath.packet.EthernetFlyweight;
import io.isthmus.fastpath.packet.Icmpv4Descriptor;
import io.isthmus.fastpath.packet.Ipv4Descriptor;
import io.isthmus.fastpath.packet.Ipv4Flyweight;
import io.isthmus.fastpath.packet.Ipv6Descriptor;
import io.isthmus.fastpath.packet.NetworkOrder;
import io.isthmus.fastpath.packet.TcpDescriptor;
import io.isthmus.fastpath.packet.UdpDescriptor;
import io.isthmus.fastpath.pipeline.DropReason;
import io.isthmus.fastpath.pipeline.PacketBatch;
import io.isthmus.fastpath.pipeline.PipelineContext;
import io.isthmus.fastpath.pipeline.Stage;

import java.lang.foreign.MemorySegment;

/**
 * Checks that each frame is one the fast path can handle and records where its headers are.
 *
 * <p><b>Reads:</b> the Ethernet header; the ARP packet (IPv4-over-Ethernet?); the IPv4 header
 * (version, IHL, total length against the frame, fragment bits, header checksum) and the length of
 * the transport header (TCP data offset, UDP and ICMP fixed headers); the IPv6 fixed header.
 * <br><b>Writes:</b> batch metadata {@code etherType[i]}, {@code l3Offset[i]}, {@code l4Offset[i]}
 * (0 for ARP). Never the frame.
 * <br><b>Next:</b> ARP, IPv4 and IPv6 packets stay in the batch; everything else is dropped with
 * one of FRAME_TOO_SHORT, VLAN_TAGGED, UNSUPPORTED_ETHERTYPE, ARP_MALFORMED, IPV4_BAD_VERSION,
 * IPV4_BAD_IHL, IPV4_OPTIONS, IPV4_BAD_TOTAL_LENGTH, IPV4_FRAGMENT, IPV4_BAD_CHECKSUM, L4_TOO_SHORT,
 * IPV6_MALFORMED.
 *
 * <p>Frames longer than the IP datagram (Ethernet minimum-size padding) are accepted as they are.
 */
public final class ParseStage implements Stage {
    private final PipelineContext context;
    private final EthernetFlyweight ethernet = new EthernetFlyweight();
    private final ArpFlyweight arp = new ArpFlyweight();
    private final Ipv4Flyweight ipv4 = new Ipv4Flyweight();

    public ParseStage(PipelineContext context) {
        this.context = context;
    }

    @Override
    public int process(PacketBatch batch) {
        final int size = batch.size();
        final MemorySegment segment = batch.segment();
        int kept = 0;
        for (int i = 0; i < size; i++) {
            final DropReason reason = parse(batch, i, segment);
            if (reason != null) {
                context.drop(batch, i, reason);
            } else {
                if (kept != i) {
                    batch.move(i, kept);
                }
                kept++;
            }
        }
        batch.size(kept);
        return kept;
    }

    private DropReason parse(PacketBatch batch, int i, MemorySegment segment) {
        final long frame = batch.address[i];
        final int frameLength = batch.length[i];
        ethernet.wrap(segment, frame, frameLength);
        if (frameLength < EthernetDescriptor.HEADER_LENGTH) {
            return DropReason.FRAME_TOO_SHORT;
        }
        final int etherType = ethernet.outerEtherType();
        batch.etherType[i] = etherType;
        batch.l3Offset[i] = EthernetDescriptor.HEADER_LENGTH;
        batch.l4Offset[i] = 0;
        final int l3Length = frameLength - EthernetDescriptor.HEADER_LENGTH;
        final long l3 = frame + EthernetDescriptor.HEADER_LENGTH;
        return switch (etherType) {
            case EthernetDescriptor.ETHER_TYPE_IPV4 -> parseIpv4(batch, i, segment, l3, l3Length);
            case EthernetDescriptor.ETHER_TYPE_ARP -> parseArp(segment, l3, l3Length);
            case EthernetDescriptor.ETHER_TYPE_IPV6 -> parseIpv6(batch, i, segment, l3, l3Length);
            case EthernetDescriptor.ETHER_TYPE_VLAN -> DropReason.VLAN_TAGGED;
            default -> DropReason.UNSUPPORTED_ETHERTYPE;
        };
    }

    private DropReason parseArp(MemorySegment segment, long l3, int l3Length) {
        if (l3Length < ArpDescriptor.LENGTH) {
            return DropReason.FRAME_TOO_SHORT;
        }
        return arp.wrap(segment, l3, l3Length).isEthernetIpv4() ? null : DropReason.ARP_MALFORMED;
    }

    private DropReason parseIpv4(PacketBatch batch, int i, MemorySegment segment, long l3, int l3Length) {
        if (l3Length < Ipv4Descriptor.MIN_HEADER_LENGTH) {
            return DropReason.FRAME_TOO_SHORT;
        }
        ipv4.wrap(segment, l3, l3Length);
        if (ipv4.version() != Ipv4Descriptor.VERSION) {
            return DropReason.IPV4_BAD_VERSION;
        }
        final int ihl = ipv4.ihl();
        if (ihl < 5 || (ihl << 2) > l3Length) {
            return DropReason.IPV4_BAD_IHL;
        }
        if (ihl != 5) {
            return DropReason.IPV4_OPTIONS;
        }
        final int totalLength = ipv4.totalLength();
        if (totalLength < Ipv4Descriptor.MIN_HEADER_LENGTH || totalLength > l3Length) {
            return DropReason.IPV4_BAD_TOTAL_LENGTH;
        }
        if (ipv4.isFragment()) {
            return DropReason.IPV4_FRAGMENT;
        }
        if (!ipv4.isChecksumValid()) {
            return DropReason.IPV4_BAD_CHECKSUM;
        }
        final int l4Length = totalLength - Ipv4Descriptor.MIN_HEADER_LENGTH;
        final long l4 = l3 + Ipv4Descriptor.MIN_HEADER_LENGTH;
        if (l4Length < minimumTransportHeader(segment, l4, l4Length, ipv4.protocol())) {
            return DropReason.L4_TOO_SHORT;
        }
        batch.l4Offset[i] = EthernetDescriptor.HEADER_LENGTH + Ipv4Descriptor.MIN_HEADER_LENGTH;
        return null;
    }

    /** The transport header length the datagram must hold (TCP: its data offset, at least 20). */
    private static int minimumTransportHeader(MemorySegment segment, long l4, int l4Length, int protocol) {
        return switch (protocol) {
            case Ipv4Descriptor.PROTOCOL_TCP -> {
                if (l4Length < TcpDescriptor.MIN_HEADER_LENGTH) {
                    yield TcpDescriptor.MIN_HEADER_LENGTH;
                }
                final int headerLength = (NetworkOrder.u8(segment, l4 + TcpDescriptor.DATA_OFFSET_OFFSET) >>> 4) << 2;
                yield headerLength < TcpDescriptor.MIN_HEADER_LENGTH ? Integer.MAX_VALUE : headerLength;
            }
            case Ipv4Descriptor.PROTOCOL_UDP -> UdpDescriptor.HEADER_LENGTH;
            case Ipv4Descriptor.PROTOCOL_ICMP -> Icmpv4Descriptor.HEADER_LENGTH;
            default -> 0;
        };
    }

    private DropReason parseIpv6(PacketBatch batch, int i, MemorySegment segment, long l3, int l3Length) {
        if (l3Length < Ipv6Descriptor.HEADER_LENGTH) {
            return DropReason.FRAME_TOO_SHORT;
        }
        if (NetworkOrder.u8(segment, l3) >>> 4 != Ipv6Descriptor.VERSION) {
            return DropReason.IPV6_MALFORMED;
        }
        if (NetworkOrder.u16(segment, l3 + Ipv6Descriptor.PAYLOAD_LENGTH_OFFSET) > l3Length - Ipv6Descriptor.HEADER_LENGTH) {
            return DropReason.IPV6_MALFORMED;
        }
        batch.l4Offset[i] = EthernetDescriptor.HEADER_LENGTH + Ipv6Descriptor.HEADER_LENGTH;
        return null;
    }
}
