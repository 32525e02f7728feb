package io.isthmus.fastpath.gso;

import io.isthmus.fastpath.packet.EthernetDescriptor;
import io.isthmus.fastpath.packet.InternetChecksum;
import io.isthmus.fastpath.packet.Ipv4Descriptor;
import io.isthmus.fastpath.packet.NetworkOrder;
import io.isthmus.fastpath.packet.TcpDescriptor;

import java.lang.foreign.MemorySegment;

/**
 * The partial TCP checksum of a super-packet kept whole, on its way through the pipeline.
 *
 * <p>A pod's TSO/GSO super-packet carries a partial checksum: the field holds P, the folded sum of
 * the IPv4 pseudo-header (the data is left to whoever segments it). The vnet-header transmit path
 * hands it on as it is ({@code NEEDS_CSUM}), so nothing sums the 64 KiB of payload. But the stages
 * that rewrite addresses or ports (NAT) update a checksum field the RFC 1624 way, which is right for
 * a complete checksum (the complement of a sum) and wrong for a partial one (a sum). So while the
 * packet is in the pipeline its field holds ~P, which the stages' updates keep equal to the
 * complement of the new pseudo-header sum; the transmit side complements it back.
 *
 * <pre>
 *   receive:   field == P (checked)  →  field = ~P                 ("complete-looking")
 *   stages:    HC' = ~(~HC + ~m + m')  with HC = ~P  gives  ~(P - m + m') = ~P'
 *   transmit:  field = ~field = P'  (partial again, for NEEDS_CSUM)
 * </pre>
 *
 * <p><b>Thread-safety:</b> stateless; no allocation; the worker calls it on frames it owns.
 */
public final class PartialTcpChecksum {
    private static final int L3 = EthernetDescriptor.HEADER_LENGTH;

    private PartialTcpChecksum() {
    }

    /**
     * True when the IPv4 TCP packet at {@code frame} (headers in this frame, IPv4 header of
     * {@code ipHeaderBytes}) has a partial checksum: its field equals the pseudo-header sum over
     * the IP total length.
     */
    public static boolean isPartial(MemorySegment segment, long frame, int ipHeaderBytes) {
        final long ip = frame + L3;
        final int totalLength = NetworkOrder.u16(segment, ip + Ipv4Descriptor.TOTAL_LENGTH_OFFSET);
        final long pseudo = InternetChecksum.pseudoHeaderSumIpv4(NetworkOrder.u32(segment, ip + Ipv4Descriptor.SRC_OFFSET),
                NetworkOrder.u32(segment, ip + Ipv4Descriptor.DST_OFFSET), Ipv4Descriptor.PROTOCOL_TCP, totalLength - ipHeaderBytes);
        return NetworkOrder.u16(segment, ip + ipHeaderBytes + TcpDescriptor.CHECKSUM_OFFSET) == InternetChecksum.fold(pseudo);
    }

    /** Replaces the TCP checksum field by its one's complement (both directions of the table above). */
    public static void complement(MemorySegment segment, long frame, int ipHeaderBytes) {
        final long at = frame + L3 + ipHeaderBytes + TcpDescriptor.CHECKSUM_OFFSET;
        NetworkOrder.putU16(segment, at, ~NetworkOrder.u16(segment, at) & 0xFFFF);
    }

    /** True when the TCP header's CWR flag is set (the vnet header then asks for ECN-aware segmentation). */
    public static boolean congestionWindowReduced(MemorySegment segment, long frame, int ipHeaderBytes) {
        return (NetworkOrder.u8(segment, frame + L3 + ipHeaderBytes + TcpDescriptor.FLAGS_OFFSET) & TcpDescriptor.FLAG_CWR) != 0;
    }
}
