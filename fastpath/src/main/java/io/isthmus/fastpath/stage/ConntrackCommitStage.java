package io.isthmus.fastpath.stage;

import io.isthmus.conntrack.ConntrackDescriptor;
import io.isthmus.fastpath.packet.Ipv4Descriptor;
import io.isthmus.fastpath.packet.Ipv4TupleRewriter;
import io.isthmus.fastpath.packet.NetworkOrder;
import io.isthmus.fastpath.packet.TcpDescriptor;
import io.isthmus.fastpath.pipeline.DropReason;
import io.isthmus.fastpath.pipeline.FlowFlags;
import io.isthmus.fastpath.pipeline.FlowState;
import io.isthmus.fastpath.pipeline.PacketBatch;
import io.isthmus.fastpath.pipeline.PipelineContext;
import io.isthmus.fastpath.pipeline.Stage;

import java.lang.foreign.MemorySegment;

/**
 * Creates the conntrack entry of every new flow that got this far (allowed by policy), so that
 * its next packets, both ways, are ESTABLISHED / REPLY and skip the Service and policy stages.
 * The entry holds the original tuple (as the first packet arrived), the reply tuple with the NAT
 * mapping (DNAT to the backend; SNAT to the node address with a port the table's SNAT pool gives
 * as it inserts), and the decisions: the service port id, verdict "allowed" and the ingress port.
 * With SNAT the packet's source is rewritten here, to the node address and that port; when the
 * reply tuple is taken by another connection (the pod talked to the backend directly from the same
 * port), the source port is remapped as Linux does ({@link ConntrackFlows#insert}) and rewritten here.
 *
 * <p>When another packet of the same flow inserted first (earlier in the batch, or on another
 * worker), the packet is rewritten to that entry's tuple instead, so both follow one mapping.
 *
 * <p><b>Reads:</b> batch {@code flowState}, {@code flowFlags}, {@code flowSrc/flowDst/flowPorts/
 * flowProto}, {@code serviceId}, {@code ingressPort}, {@code length}; the packet's destination
 * address and port (the backend after DNAT) and TCP flags; the node address.
 * <br><b>Writes:</b> the conntrack table; with SNAT the packet's source address, port and
 * checksums; {@code ctRef}, {@code ctSeqZone}.
 * <br><b>Next:</b> stays, except when the table refuses: dropped CONNTRACK_FULL, CONNTRACK_CLASH
 * or SNAT_NO_PORT. A packet that cannot open a connection (a lone TCP RST) passes untracked.
 */
public final class ConntrackCommitStage implements Stage {
    private final PipelineContext context;
    private final ConntrackFlows flows;

    public ConntrackCommitStage(PipelineContext context, ConntrackFlows flows) {
        this.context = context;
        this.flows = flows;
    }

    @Override
    public int process(PacketBatch batch) {
        final int size = batch.size();
        final MemorySegment segment = batch.segment();
        final int node = context.flowSettings().nodeIpv4();
        for (int i = 0; i < size; i++) {
            if (batch.flowState[i] != FlowState.NEW || (batch.flowFlags[i] & FlowFlags.GENERATED) != 0) {
                continue;
            }
            final long l3 = batch.address[i] + batch.l3Offset[i];
            final long l4 = batch.address[i] + batch.l4Offset[i];
            final int protocol = batch.flowProto[i];
            final int ports = batch.flowPorts[i];
            final int tcpFlags = protocol == Ipv4Descriptor.PROTOCOL_TCP ? NetworkOrder.u8(segment, l4 + TcpDescriptor.FLAGS_OFFSET) : 0;
            final int flags = batch.flowFlags[i];
            final boolean dnat = (flags & FlowFlags.DNAT) != 0;
            final boolean snat = (flags & FlowFlags.SNAT) != 0;
            final int backend = dnat ? NetworkOrder.u32(segment, l3 + Ipv4Descriptor.DST_OFFSET) : 0;
            final int backendPort = dnat ? NetworkOrder.u16(segment, l4 + 2) : 0;
            final int result = flows.insert(batch.flowSrc[i], batch.flowDst[i], ports, protocol, tcpFlags,
                    dnat, backend, backendPort, snat, node, batch.serviceId[i], batch.ingressPort[i]);
            switch (result) {
                case ConntrackFlows.INSERTED -> {
                    final int sourcePort = flows.committedSourcePort();
                    if (snat || sourcePort != ConntrackDescriptor.sourcePort(ports)) { // SNAT, or a clash remapped the port
                        Ipv4TupleRewriter.rewrite(segment, l3, l4, protocol, snat ? node : batch.flowSrc[i], sourcePort,
                                dnat ? backend : batch.flowDst[i],
                                dnat ? backendPort : ConntrackDescriptor.destinationPort(ports));
                    }
                    batch.ctRef[i] = flows.committedRef();
                    batch.ctSeqZone[i] = flows.committedSeqZone();
                    flows.track(flows.committedRef(), flows.committedSeqZone(), tcpFlags, batch.length[i]);
                }
                case ConntrackFlows.EXISTS -> followExisting(batch, i, segment, l3, l4, tcpFlags);
                case ConntrackFlows.FULL -> batch.markDrop(i, DropReason.CONNTRACK_FULL);
                case ConntrackFlows.NO_SNAT_PORT -> batch.markDrop(i, DropReason.SNAT_NO_PORT);
                case ConntrackFlows.CLASH -> batch.markDrop(i, DropReason.CONNTRACK_CLASH);
                default -> {
                    // NOT_TRACKABLE: forwarded as decided, without an entry (as Linux lets a lone RST through).
                }
            }
        }
        return context.sweepDrops(batch);
    }

    private void followExisting(PacketBatch batch, int i, MemorySegment segment, long l3, long l4, int tcpFlags) {
        final int ref = flows.lookupExisting(batch.flowSrc[i], batch.flowDst[i], batch.flowPorts[i], batch.flowProto[i]);
        if (ref < 0) {
            batch.markDrop(i, DropReason.CONNTRACK_CLASH); // gone again already: the sender retransmits
            return;
        }
        final int natPorts = flows.natPorts(0);
        Ipv4TupleRewriter.rewrite(segment, l3, l4, batch.flowProto[i], flows.natSrc(0),
                ConntrackDescriptor.sourcePort(natPorts), flows.natDst(0), ConntrackDescriptor.destinationPort(natPorts));
        batch.ctRef[i] = ref;
        batch.ctSeqZone[i] = flows.seqZone(0);
        flows.track(ref, flows.seqZone(0), tcpFlags, batch.length[i]);
    }
}
