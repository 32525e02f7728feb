package io.isthmus.fastpath.stage;

import io.isthmus.fastpath.packet.ArpDescriptor;
import io.isthmus.fastpath.packet.EthernetDescriptor;
import io.isthmus.fastpath.packet.Ipv4Descriptor;
import io.isthmus.fastpath.packet.MacAddress;
import io.isthmus.fastpath.packet.NetworkOrder;
import io.isthmus.fastpath.pipeline.NeighborTable;
import io.isthmus.fastpath.pipeline.PacketBatch;
import io.isthmus.fastpath.pipeline.PipelineContext;
import io.isthmus.fastpath.pipeline.RouteTable;
import io.isthmus.fastpath.pipeline.Stage;

import java.lang.foreign.MemorySegment;

/**
 * Learns the MAC of the pod behind each port from what the pod sends: when a frame arrives on
 * port {@code p} and its sender address (IPv4 source, or ARP sender protocol address) is the pod IP
 * the route table gives for {@code p}, the frame's Ethernet source MAC becomes the pod's MAC on
 * {@code p}. Frames from any other address teach nothing (no flooding, no general MAC learning).
 * On the host port (the node's namespace, one neighbor: the host end of its veth, whatever address
 * it sends from) every IPv4 or ARP frame teaches the MAC; the attach gave it first.
 *
 * <p><b>Reads:</b> batch {@code etherType}, {@code l3Offset}, {@code ingressPort}; the Ethernet
 * source MAC; the IPv4 source or ARP sender IP; the route table's pod IP per port.
 * <br><b>Writes:</b> the worker's {@link NeighborTable} (only when the MAC changed). Never the frame.
 * <br><b>Next:</b> every packet stays in the batch.
 */
public final class NeighborLearnStage implements Stage {
    private final PipelineContext context;

    public NeighborLearnStage(PipelineContext context) {
        this.context = context;
    }

    @Override
    public int process(PacketBatch batch) {
        final int size = batch.size();
        final MemorySegment segment = batch.segment();
        final RouteTable table = context.table();
        final NeighborTable neighbors = context.neighbors();
        final int portCount = neighbors.portCount();
        for (int i = 0; i < size; i++) {
            final int port = batch.ingressPort[i];
            final int podIp = table.podIp(port);
            final boolean hostPort = table.isHostPort(port);
            if (podIp == 0 && !hostPort || port >= portCount) {
                continue;
            }
            final long l3 = batch.address[i] + batch.l3Offset[i];
            final int senderIp = switch (batch.etherType[i]) {
                case EthernetDescriptor.ETHER_TYPE_IPV4 -> NetworkOrder.u32(segment, l3 + Ipv4Descriptor.SRC_OFFSET);
                case EthernetDescriptor.ETHER_TYPE_ARP -> NetworkOrder.u32(segment, l3 + ArpDescriptor.SENDER_IP_OFFSET);
                default -> 0;
            };
            if (senderIp == podIp && senderIp != 0 || hostPort && senderIp != 0) {
                final long mac = NetworkOrder.mac(segment, batch.address[i] + EthernetDescriptor.SRC_MAC_OFFSET);
                if (mac != MacAddress.UNKNOWN && !MacAddress.isMulticast(mac)) {
                    neighbors.learn(port, mac);
                }
            }
        }
        return size;
    }
}
