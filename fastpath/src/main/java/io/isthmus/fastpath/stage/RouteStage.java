package io.isthmus.fastpath.stage;

import io.isthmus.fastpath.packet.EthernetDescriptor;
import io.isthmus.fastpath.packet.Ipv4Descriptor;
import io.isthmus.fastpath.packet.NetworkOrder;
import io.isthmus.fastpath.pipeline.DropReason;
import io.isthmus.fastpath.pipeline.PacketBatch;
import io.isthmus.fastpath.pipeline.PipelineContext;
import io.isthmus.fastpath.pipeline.RouteTable;
import io.isthmus.fastpath.pipeline.Stage;

import java.lang.foreign.MemorySegment;

/**
 * L3 routing of pod traffic: destination IPv4 address → egress port, from the route table
 * generation of this batch. Three passes: hash every destination, probe every slot, then act.
 * A destination without a pod /32 takes the default route, the table's host port (the node's own
 * namespace), when it has one; the default route never sends a packet back out of the port it
 * came in on (the host sending to an address that is no pod would otherwise loop).
 *
 * <p><b>Reads:</b> batch {@code etherType}, {@code l3Offset}, {@code egressPort}; the IPv4
 * destination address; the route table.
 * <br><b>Writes:</b> {@code egressPort[i]} of IPv4 packets whose egress no earlier stage set (the uplink
 * stage sends outside clients' replies back out of the uplink); {@code key[i]} (the destination) and
 * {@code scratch[i]} (its hash slot), between passes. Never the frame.
 * <br><b>Next:</b> routed IPv4 packets and packets whose egress port an earlier stage set (ARP
 * replies) stay; IPv4 without a route (no pod /32 and no host port, or the default route back to
 * the ingress port), or routed to a port this worker does not have, is dropped NO_ROUTE; IPv6 is
 * dropped IPV6_NOT_ROUTED.
 */
public final class RouteStage implements Stage {
    private final PipelineContext context;

    public RouteStage(PipelineContext context) {
        this.context = context;
    }

    @Override
    public int process(PacketBatch batch) {
        final int size = batch.size();
        final MemorySegment segment = batch.segment();
        final RouteTable table = context.table();
        final int[] etherType = batch.etherType;
        final int[] scratch = batch.scratch;

        final int[] key = batch.key;
        for (int i = 0; i < size; i++) { // pass 1: read and hash every destination
            if (etherType[i] == EthernetDescriptor.ETHER_TYPE_IPV4) {
                final int dst = NetworkOrder.u32(segment, batch.address[i] + batch.l3Offset[i] + Ipv4Descriptor.DST_OFFSET);
                key[i] = dst;
                scratch[i] = table.slotOf(dst);
            }
        }
        final int defaultPort = table.defaultPort();
        for (int i = 0; i < size; i++) { // pass 2: probe (no pod /32: default route); a preset egress stays
            if (etherType[i] == EthernetDescriptor.ETHER_TYPE_IPV4 && batch.egressPort[i] == PacketBatch.NO_PORT) {
                final int podPort = table.probe(scratch[i], key[i]);
                batch.egressPort[i] = podPort != RouteTable.NO_PORT ? podPort
                        : defaultPort != batch.ingressPort[i] ? defaultPort : RouteTable.NO_PORT;
            }
        }
        final int portCount = context.portCount();
        for (int i = 0; i < size; i++) { // pass 3: act
            final DropReason reason = switch (etherType[i]) {
                case EthernetDescriptor.ETHER_TYPE_IPV4 -> {
                    final int egress = batch.egressPort[i];
                    yield egress < 0 || egress >= portCount ? DropReason.NO_ROUTE : null;
                }
                case EthernetDescriptor.ETHER_TYPE_IPV6 -> DropReason.IPV6_NOT_ROUTED;
                default -> batch.egressPort[i] == PacketBatch.NO_PORT ? DropReason.NO_ROUTE : null;
            };
            if (reason != null) {
                batch.markDrop(i, reason);
            }
        }
        return context.sweepDrops(batch);
    }
}
