package io.isthmus.fastpath.stage;

import io.isthmus.conntrack.ConntrackDescriptor;
import io.isthmus.fastpath.packet.Ipv4Descriptor;
import io.isthmus.fastpath.packet.NetworkOrder;
import io.isthmus.fastpath.pipeline.DropReason;
import io.isthmus.fastpath.pipeline.FlowEvents;
import io.isthmus.fastpath.pipeline.FlowFlags;
import io.isthmus.fastpath.pipeline.FlowState;
import io.isthmus.fastpath.pipeline.PacketBatch;
import io.isthmus.fastpath.pipeline.PipelineContext;
import io.isthmus.fastpath.pipeline.Stage;
import io.isthmus.policy.compile.PolicySnapshot;
import io.isthmus.policy.model.Protocol;

import java.lang.foreign.MemorySegment;

/**
 * NetworkPolicy for new connections, after Service DNAT so that the policy judged is the backend
 * pod's: the source's egress and the destination's ingress, from the policy snapshot of the batch
 * (two passes: resolve both addresses of every new flow to identity references, then ask for each).
 * Packets of known connections (ESTABLISHED, REPLY) are never judged again: the connection's first
 * packet was (the NetworkPolicy conntrack contract). Traffic from the node address into a pod is
 * always allowed.
 *
 * <p><b>Reads:</b> batch {@code flowState}, {@code flowFlags}, {@code flowSrc}, {@code flowPorts},
 * {@code flowProto}; the packet's destination address and port (the backend after DNAT); the
 * policy snapshot; the node address.
 * <br><b>Writes:</b> {@code key} and {@code scratch} (the two references) between passes; a flow
 * event per denial. Never the frame.
 * <br><b>Next:</b> denied new flows are dropped POLICY_DENIED; everything else stays.
 */
public final class PolicyStage implements Stage {
    private static final int NOT_JUDGED = -1;

    private final PipelineContext context;

    public PolicyStage(PipelineContext context) {
        this.context = context;
    }

    @Override
    public int process(PacketBatch batch) {
        final int size = batch.size();
        final PolicySnapshot policy = context.policies();
        if (policy == null) {
            return size;
        }
        final MemorySegment segment = batch.segment();
        final int node = context.flowSettings().nodeIpv4();
        final int[] srcRef = batch.key;
        final int[] dstRef = batch.scratch;
        boolean any = false;
        for (int i = 0; i < size; i++) { // pass 1: both references of every new flow
            srcRef[i] = NOT_JUDGED;
            if (batch.flowState[i] != FlowState.NEW || (batch.flowFlags[i] & FlowFlags.GENERATED) != 0
                    || batch.flowSrc[i] == node) {
                continue;
            }
            srcRef[i] = policy.refOfIpv4(batch.flowSrc[i]);
            dstRef[i] = policy.refOfIpv4(NetworkOrder.u32(segment, batch.address[i] + batch.l3Offset[i] + Ipv4Descriptor.DST_OFFSET));
            any = true;
        }
        if (!any) {
            return size;
        }
        for (int i = 0; i < size; i++) { // pass 2: the verdicts
            if (srcRef[i] == NOT_JUDGED) {
                continue;
            }
            final int protocol = batch.flowProto[i];
            final int dstPort = protocol == Ipv4Descriptor.PROTOCOL_ICMP ? 0
                    : NetworkOrder.u16(segment, batch.address[i] + batch.l4Offset[i] + 2);
            if (!policy.allows(srcRef[i], dstRef[i], Protocol.indexOfIpProtocol(protocol), dstPort)) {
                context.events().record(FlowEvents.KIND_POLICY_DENIED, DropReason.POLICY_DENIED, protocol,
                        batch.flowSrc[i], ConntrackDescriptor.sourcePort(batch.flowPorts[i]),
                        NetworkOrder.u32(segment, batch.address[i] + batch.l3Offset[i] + Ipv4Descriptor.DST_OFFSET),
                        dstPort, batch.ingressPort[i]);
                batch.markDrop(i, DropReason.POLICY_DENIED);
            }
        }
        return context.sweepDrops(batch);
    }
}
