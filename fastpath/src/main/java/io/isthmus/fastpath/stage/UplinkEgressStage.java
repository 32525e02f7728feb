package io.isthmus.fastpath.stage;

import io.isthmus.fastpath.packet.EthernetDescriptor;
import io.isthmus.fastpath.packet.Ipv4Descriptor;
import io.isthmus.fastpath.packet.MacAddress;
import io.isthmus.fastpath.packet.NetworkOrder;
import io.isthmus.fastpath.pipeline.FlowFlags;
import io.isthmus.fastpath.pipeline.FlowState;
import io.isthmus.fastpath.pipeline.PacketBatch;
import io.isthmus.fastpath.pipeline.PipelineContext;
import io.isthmus.fastpath.pipeline.Stage;
import io.isthmus.fastpath.uplink.Uplink;
import io.isthmus.fastpath.uplink.UplinkBinding;

import java.lang.foreign.MemorySegment;

/**
 * Sends the fast path's answers to outside clients back out of the uplink, before routing: the
 * client's address is no pod's, so the route table alone would drop the packet (or give it to the
 * host). Two cases:
 * <ul>
 *   <li>a REPLY of a connection whose first packet came in on the uplink (the conntrack entry's
 *       ingress port, {@code ctOutPort}): e.g. a backend's SYN-ACK, un-DNATed (and un-SNATed) by
 *       the conntrack stage to node address:NodePort → client. It leaves through the socket of the
 *       queue the connection's first packet came in on (the uplink has one per RX queue): on a
 *       NIC that queue's TX side is the same channel, on the same CPU, and one flow keeps one TX
 *       queue, so its packets are never reordered between queues;</li>
 *   <li>a frame the fast path generated as an answer (TCP RST / ICMP unreachable for a Service
 *       without endpoints) to an address learned on the uplink: through queue 0's socket (the
 *       generated frame no longer knows the queue its trigger came in on).</li>
 * </ul>
 *
 * <p><b>Reads:</b> the uplink binding and neighbors; batch {@code etherType}, {@code egressPort},
 * {@code flowState}, {@code ctOutPort}, {@code flowFlags}; for generated frames the IPv4 destination.
 * <br><b>Writes:</b> {@code egressPort[i] = an uplink queue's port} for those packets ({@link RouteStage} leaves a
 * set egress port alone). Never the frame.
 * <br><b>Next:</b> every packet stays. Without an uplink attached it does nothing.
 */
public final class UplinkEgressStage implements Stage {
    private final Uplink uplink;

    public UplinkEgressStage(PipelineContext context) {
        this.uplink = context.uplink();
    }

    @Override
    public int process(PacketBatch batch) {
        final int size = batch.size();
        final UplinkBinding binding = uplink.bindingAcquire();
        if (binding == null) {
            return size;
        }
        final int answerPort = binding.port();
        final MemorySegment segment = batch.segment();
        for (int i = 0; i < size; i++) {
            if (batch.etherType[i] != EthernetDescriptor.ETHER_TYPE_IPV4 || batch.egressPort[i] != PacketBatch.NO_PORT) {
                continue;
            }
            if (batch.flowState[i] == FlowState.REPLY) {
                final int cameInOn = batch.ctOutPort[i];
                if (binding.isUplink(cameInOn)) {
                    batch.egressPort[i] = cameInOn; // the queue the flow came in on: its TX queue, no reordering
                }
            } else if ((batch.flowFlags[i] & FlowFlags.GENERATED) != 0) {
                final int dst = NetworkOrder.u32(segment, batch.address[i] + batch.l3Offset[i] + Ipv4Descriptor.DST_OFFSET);
                if (uplink.neighbors().macOf(dst) != MacAddress.UNKNOWN) {
                    batch.egressPort[i] = answerPort;
                }
            }
        }
        return size;
    }
}
