package io.isthmus.fastpath.stage;

import io.isthmus.fastpath.packet.ArpDescriptor;
import io.isthmus.fastpath.packet.ArpFlyweight;
import io.isthmus.fastpath.packet.EthernetDescriptor;
import io.isthmus.fastpath.packet.EthernetFlyweight;
import io.isthmus.fastpath.packet.Ipv4Descriptor;
import io.isthmus.fastpath.packet.InternetChecksum;
import io.isthmus.fastpath.packet.MacAddress;
import io.isthmus.fastpath.packet.NetworkOrder;
import io.isthmus.fastpath.pipeline.DropReason;
import io.isthmus.fastpath.pipeline.NeighborTable;
import io.isthmus.fastpath.pipeline.PacketBatch;
import io.isthmus.fastpath.pipeline.PipelineContext;
import io.isthmus.fastpath.pipeline.RouteTable;
import io.isthmus.fastpath.pipeline.Stage;

import java.lang.foreign.MemorySegment;

/**
 * The router's per-hop work on routed IPv4: decrement the TTL (patching the header checksum
 * incrementally, RFC 1624) and rewrite the MACs — source = the switch's MAC on the egress port,
 * destination = the pod's MAC learned on the egress port.
 *
 * <p>When the pod's MAC on the egress port is not known, the packet is dropped NEIGHBOR_UNKNOWN
 * (no queuing) and, unless a request for that port went out within the neighbor table's interval,
 * its frame is reused in place for an ARP request "who-has pod IP, tell 169.254.1.1" from the
 * switch's MAC, sent out of the egress port; the pod's reply then teaches the neighbor table.
 *
 * <p><b>Reads:</b> batch {@code etherType}, {@code l3Offset}, {@code egressPort}; the IPv4 TTL;
 * the route table (local MAC, pod IP per port); the neighbor table.
 * <br><b>Writes:</b> Ethernet dst/src, IPv4 TTL and header checksum; for an ARP request the whole
 * frame and {@code length[i]}, {@code etherType[i]}; the neighbor table's request time.
 * <br><b>Next:</b> rewritten packets and ARP requests stay for TX; TTL ≤ 1 is dropped TTL_EXPIRED;
 * unknown neighbor is dropped NEIGHBOR_UNKNOWN (counted even when its frame became the ARP
 * request). Non-IPv4 packets (ARP replies) pass untouched.
 */
public final class ForwardRewriteStage implements Stage {
    /** Length of the ARP request we emit: Ethernet header + ARP, no padding. */
    public static final int ARP_REQUEST_LENGTH = EthernetDescriptor.HEADER_LENGTH + ArpDescriptor.LENGTH;

    private final PipelineContext context;
    private final EthernetFlyweight ethernet = new EthernetFlyweight();
    private final ArpFlyweight arp = new ArpFlyweight();

    public ForwardRewriteStage(PipelineContext context) {
        this.context = context;
    }

    @Override
    public int process(PacketBatch batch) {
        final int size = batch.size();
        final MemorySegment segment = batch.segment();
        final RouteTable table = context.table();
        final NeighborTable neighbors = context.neighbors();
        for (int i = 0; i < size; i++) {
            if (batch.etherType[i] == EthernetDescriptor.ETHER_TYPE_IPV4) {
                final long ttlWordAt = batch.address[i] + batch.l3Offset[i] + Ipv4Descriptor.TTL_OFFSET;
                final int ttlProtocolChecksum = NetworkOrder.u32(segment, ttlWordAt);
                if (ttlProtocolChecksum >>> 24 <= 1) {
                    batch.markDrop(i, DropReason.TTL_EXPIRED);
                    continue;
                }
                final int egress = batch.egressPort[i];
                final long podMac = neighbors.podMac(egress);
                if (podMac == MacAddress.UNKNOWN) {
                    if (table.podIp(egress) == 0 || !neighbors.tryStartRequest(egress, context.nowNs())) {
                        batch.markDrop(i, DropReason.NEIGHBOR_UNKNOWN);
                        continue;
                    }
                    context.countDropKeepingFrame(batch, i, DropReason.NEIGHBOR_UNKNOWN);
                    writeArpRequest(batch, i, segment, table, egress);
                    // The frame is now the fast path's own ARP request, not a packet a pod sent: if
                    // TX drops it, that must not count against the pod's port a second time.
                    batch.ingressPort[i] = PacketBatch.NO_PORT;
                } else {
                    decrementTtl(segment, ttlWordAt, ttlProtocolChecksum);
                    rewriteMacs(segment, batch.address[i], podMac, table.localMac(egress));
                }
            }
        }
        return context.sweepDrops(batch);
    }

    /**
     * TTL - 1 with the RFC 1624 checksum update: one 32-bit write of the TTL | protocol | checksum
     * word the caller read (and checked TTL > 1 in).
     */
    private static void decrementTtl(MemorySegment segment, long at, int word) {
        final int ttlProtocol = word >>> 16;
        final int checksum = InternetChecksum.update16(word & 0xFFFF, ttlProtocol, ttlProtocol - 0x0100);
        NetworkOrder.putU32(segment, at, ((ttlProtocol - 0x0100) << 16) | checksum);
    }

    /** Destination and source MAC (12 bytes) as one 64-bit and one 32-bit store. */
    private static void rewriteMacs(MemorySegment segment, long frame, long dstMac, long srcMac) {
        segment.set(NetworkOrder.U64, frame, (dstMac << 16) | (srcMac >>> 32));
        NetworkOrder.putU32(segment, frame + 8, (int) srcMac);
    }

    private void writeArpRequest(PacketBatch batch, int i, MemorySegment segment, RouteTable table, int egress) {
        final long frame = batch.address[i];
        final long switchMac = table.localMac(egress);
        ethernet.wrap(segment, frame, ARP_REQUEST_LENGTH)
                .dstMac(MacAddress.BROADCAST).srcMac(switchMac).outerEtherType(EthernetDescriptor.ETHER_TYPE_ARP);
        arp.wrap(segment, frame + EthernetDescriptor.HEADER_LENGTH, ArpDescriptor.LENGTH)
                .writeEthernetIpv4Header(ArpDescriptor.OPERATION_REQUEST)
                .senderMac(switchMac).senderIp(table.gatewayIp())
                .targetMac(MacAddress.UNKNOWN).targetIp(table.podIp(egress));
        batch.length[i] = ARP_REQUEST_LENGTH;
        batch.etherType[i] = EthernetDescriptor.ETHER_TYPE_ARP;
        batch.l3Offset[i] = EthernetDescriptor.HEADER_LENGTH;
        batch.l4Offset[i] = 0;
    }
}
