package io.isthmus.fastpath.stage;

import io.isthmus.fastpath.packet.EthernetDescriptor;
import io.isthmus.fastpath.packet.Ipv4Descriptor;
import io.isthmus.fastpath.packet.MacAddress;
import io.isthmus.fastpath.packet.NetworkOrder;
import io.isthmus.fastpath.pipeline.PacketBatch;
import io.isthmus.fastpath.pipeline.PipelineContext;
import io.isthmus.fastpath.pipeline.Stage;
import io.isthmus.fastpath.uplink.Uplink;
import io.isthmus.fastpath.uplink.UplinkBinding;

import java.lang.foreign.MemorySegment;

/**
 * Addresses the frames leaving through the uplink, after {@link ForwardRewriteStage} (which did
 * the TTL and wrote the port's default MACs): destination MAC = the MAC the destination address
 * was last seen behind on the uplink (the client, or the router that brought its request), else
 * the default next hop of the uplink queue's port it leaves through (the last sender on that queue); source MAC = the uplink interface's own (the
 * uplink is not in the route table, which knows pod ports' MACs only).
 *
 * <p><b>Reads:</b> the uplink binding and neighbors, the worker's neighbor table; batch
 * {@code egressPort}, {@code etherType}, {@code l3Offset}; the IPv4 destination.
 * <br><b>Writes:</b> the Ethernet destination and source MACs of frames to the uplink.
 * <br><b>Next:</b> every packet stays. Without an uplink attached it does nothing.
 */
public final class UplinkNextHopStage implements Stage {
    private final PipelineContext context;
    private final Uplink uplink;

    public UplinkNextHopStage(PipelineContext context) {
        this.context = context;
        this.uplink = context.uplink();
    }

    @Override
    public int process(PacketBatch batch) {
        final int size = batch.size();
        final UplinkBinding binding = uplink.bindingAcquire();
        if (binding == null) {
            return size;
        }
        final MemorySegment segment = batch.segment();
        for (int i = 0; i < size; i++) {
            final int port = batch.egressPort[i];
            if (!binding.isUplink(port) || batch.etherType[i] != EthernetDescriptor.ETHER_TYPE_IPV4) {
                continue;
            }
            final long frame = batch.address[i];
            long nextHop = uplink.neighbors().macOf(NetworkOrder.u32(segment, frame + batch.l3Offset[i] + Ipv4Descriptor.DST_OFFSET));
            if (nextHop == MacAddress.UNKNOWN) {
                nextHop = context.neighbors().podMac(port);
            }
            segment.set(NetworkOrder.U64, frame, (nextHop << 16) | (binding.localMac() >>> 32));
            NetworkOrder.putU32(segment, frame + 8, (int) binding.localMac());
        }
        return size;
    }
}
