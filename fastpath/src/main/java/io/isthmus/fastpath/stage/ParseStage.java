package io.isthmus.fastpath.stage;

import io.isthmus.fastpath.packet.ArpDescriptor;
import io.isthmus.fastpath.packet.ArpFlyweight;
import io.isthmus.fastpath.packet.EthernetDescriptor;
import io.isthmus.fastpath.packet.EthernetFlyweight;
import io.isthmus.fastpath.packet.Icmpv4Descriptor;
import io.isthmus.fastpath.packet.Ipv4Descriptor;
import io.isthmus.fastpath.packet.InternetChecksum;
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

    public ParseStage(PipelineContext context) {
        this.context = context;
    }

    @Override
    public int process(PacketBatch batch) {
        final int size = batch.size();
        final MemorySegment segment = batch.segment();
        for (int i = 0; i < size; i++) {
            final DropReason reason = parse(batch, i, segment);
            if (reason != null) {
                batch.markDrop(i, reason);
            }
        }
        return context.sweepDrops(batch);
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

    /**
     * IPv4 checks on the five 32-bit words of an option-less header, each read once: the words
     * serve the field checks and the header checksum (sum of their 16-bit halves must fold to 0xFFFF).
     */
    private DropReason parseIpv4(PacketBatch batch, int i, MemorySegment segment, long l3, int l3Length) {
        if (l3Length < Ipv4Descriptor.MIN_HEADER_LENGTH) {
            return DropReason.FRAME_TOO_SHORT;
        }
        final int versionIhlTosLength = NetworkOrder.u32(segment, l3);
        if (versionIhlTosLength >>> 24 != 0x45) {
            return ipv4HeaderLengthReason(versionIhlTosLength >>> 24, l3Length);
        }
        final int totalLength = versionIhlTosLength & 0xFFFF;
        if (totalLength < Ipv4Descriptor.MIN_HEADER_LENGTH || totalLength > l3Length) {
            return DropReason.IPV4_BAD_TOTAL_LENGTH;
        }
        final int idFlagsFragment = NetworkOrder.u32(segment, l3 + Ipv4Descriptor.IDENTIFICATION_OFFSET);
        if ((idFlagsFragment & (Ipv4Descriptor.FLAG_MORE_FRAGMENTS | Ipv4Descriptor.FRAGMENT_OFFSET_MASK)) != 0) {
            return DropReason.IPV4_FRAGMENT;
        }
        final int ttlProtocolChecksum = NetworkOrder.u32(segment, l3 + Ipv4Descriptor.TTL_OFFSET);
        final long sum = (versionIhlTosLength & 0xFFFF_FFFFL) + (idFlagsFragment & 0xFFFF_FFFFL)
                + (ttlProtocolChecksum & 0xFFFF_FFFFL)
                + (NetworkOrder.u32(segment, l3 + Ipv4Descriptor.SRC_OFFSET) & 0xFFFF_FFFFL)
                + (NetworkOrder.u32(segment, l3 + Ipv4Descriptor.DST_OFFSET) & 0xFFFF_FFFFL);
        if (InternetChecksum.fold(sum) != 0xFFFF) {
            return DropReason.IPV4_BAD_CHECKSUM;
        }
        final int l4Length = totalLength - Ipv4Descriptor.MIN_HEADER_LENGTH;
        final long l4 = l3 + Ipv4Descriptor.MIN_HEADER_LENGTH;
        if (l4Length < minimumTransportHeader(segment, l4, l4Length, (ttlProtocolChecksum >>> 16) & 0xFF)) {
            return DropReason.L4_TOO_SHORT;
        }
        batch.l4Offset[i] = EthernetDescriptor.HEADER_LENGTH + Ipv4Descriptor.MIN_HEADER_LENGTH;
        return null;
    }

    /** Why a first header byte other than 0x45 (version 4, IHL 5) is refused. */
    private static DropReason ipv4HeaderLengthReason(int versionIhl, int l3Length) {
        final int ihl = versionIhl & 0x0F;
        if (versionIhl >>> 4 != Ipv4Descriptor.VERSION) {
            return DropReason.IPV4_BAD_VERSION;
        }
        if (ihl < 5 || (ihl << 2) > l3Length) {
            return DropReason.IPV4_BAD_IHL;
        }
        return DropReason.IPV4_OPTIONS;
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
