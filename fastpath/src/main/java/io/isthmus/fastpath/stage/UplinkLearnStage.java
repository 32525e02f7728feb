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
import io.isthmus.fastpath.uplink.UplinkNeighbors;

import java.lang.foreign.MemorySegment;

/**
 * Learns, from every IPv4 frame the uplink's steering program handed the fast path, which MAC its
 * source address sits behind ({@link UplinkNeighbors}), so that replies go back there; and keeps
 * the last such MAC as the default next hop, in the worker's {@code NeighborTable}, of the uplink
 * queue's port it came in on (what {@link ForwardRewriteStage} needs to send anything out of a
 * port), and of queue 0's port (where the fast path's own answers leave, whichever queue brought
 * their trigger). Every queue of the uplink counts: a frame from any of them is from the uplink.
 *
 * <p><b>Reads:</b> the uplink binding; batch {@code ingressPort}, {@code etherType},
 * {@code l3Offset}; the Ethernet source MAC and the IPv4 source address.
 * <br><b>Writes:</b> the uplink neighbors (cleared when the binding changed); the neighbor table's
 * entry for the uplink queue's port. Never the frame.
 * <br><b>Next:</b> every packet stays. Without an uplink attached it does nothing.
 */
public final class UplinkLearnStage implements Stage {
    private final PipelineContext context;
    private final Uplink uplink;
    private UplinkBinding learnedFor;

    public UplinkLearnStage(PipelineContext context) {
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
        final UplinkNeighbors neighbors = uplink.neighbors();
        if (binding != learnedFor) {
            neighbors.clear();
            learnedFor = binding;
        }
        final MemorySegment segment = batch.segment();
        for (int i = 0; i < size; i++) {
            final int port = batch.ingressPort[i];
            if (!binding.isUplink(port) || batch.etherType[i] != EthernetDescriptor.ETHER_TYPE_IPV4) {
                continue;
            }
            final long mac = NetworkOrder.mac(segment, batch.address[i] + EthernetDescriptor.SRC_MAC_OFFSET);
            if (mac == MacAddress.UNKNOWN || MacAddress.isMulticast(mac)) {
                continue;
            }
            neighbors.learn(NetworkOrder.u32(segment, batch.address[i] + batch.l3Offset[i] + Ipv4Descriptor.SRC_OFFSET), mac);
            context.neighbors().learn(port, mac);
            if (port != binding.port()) {
                context.neighbors().learn(binding.port(), mac); // queue 0 sends the fast path's own answers (UplinkEgressStage)
            }
        }
        return size;
    }
}
