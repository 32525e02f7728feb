package io.isthmus.fastpath.stage;

import io.isthmus.conntrack.Addresses;
import io.isthmus.conntrack.ConntrackDescriptor;
import io.isthmus.fastpath.packet.Ipv4Descriptor;
import io.isthmus.fastpath.packet.Ipv4TupleRewriter;
import io.isthmus.fastpath.packet.RejectReplyWriter;
import io.isthmus.fastpath.pipeline.DropReason;
import io.isthmus.fastpath.pipeline.FlowEvents;
import io.isthmus.fastpath.pipeline.FlowFlags;
import io.isthmus.fastpath.pipeline.FlowSettings;
import io.isthmus.fastpath.pipeline.FlowState;
import io.isthmus.fastpath.pipeline.PacketBatch;
import io.isthmus.fastpath.pipeline.PipelineContext;
import io.isthmus.fastpath.pipeline.Stage;
import io.isthmus.lb.table.ServiceDecision;
import io.isthmus.lb.table.ServiceTable;
import io.isthmus.lb.table.ServiceVerdict;
import io.isthmus.lb.table.TrafficSource;

import java.lang.foreign.MemorySegment;

/**
 * Decides new flows to Service frontends (kube-proxy's job), in passes as the services-lb README
 * asks, each a set of independent memory loads so that their cache misses overlap: compute the
 * home bucket of every NEW packet's destination, load each (a load nothing waits on, so the whole
 * batch's bucket misses are in flight together), find the frontend from those lines; load every
 * flow's Maglev entry ({@code ServiceTable.backendHint});
 * load every chosen backend record; then decide each (traffic policy, session affinity, Maglev
 * over the flow hash, hairpin) from lines already loaded. For a compact frontend (at most 3 IPv4
 * backends, nothing but Maglev: the common Service) the bucket the first pass loaded holds the
 * whole decision, and the two middle passes skip it. For a paired frontend (at most 16 IPv4
 * backends of one port, nothing but Maglev) the second pass names its backend line and the third
 * loads it: the decision reads that line and the bucket.
 *
 * <ul>
 *   <li>FORWARD: the packet is DNATed to the backend now (so policy judges the backend pod);
 *       SNAT to the node address, when the verdict or hairpin asks for it, is left to the commit
 *       stage, which takes the port from the SNAT pool as it inserts the connection.</li>
 *   <li>REJECT (no usable endpoint): the frame becomes a TCP RST (TCP) or ICMP port unreachable
 *       (UDP, SCTP) from the frontend back to the client, counted SERVICE_REJECTED, recorded as a
 *       flow event, and routed like any packet.</li>
 *   <li>DROP verdicts: dropped SERVICE_NO_LOCAL_ENDPOINT / SERVICE_SOURCE_NOT_ALLOWED.</li>
 * </ul>
 *
 * <p><b>Reads:</b> batch {@code flowState}, {@code flowSrc/flowDst/flowPorts/flowProto},
 * {@code flowHash}; the Service table of the batch; the affinity table and the node address and
 * pod CIDR of the {@link FlowSettings}.
 * <br><b>Writes:</b> for FORWARD the packet's destination address, port and checksums,
 * {@code flowFlags} (DNAT, SNAT, HAIRPIN), {@code serviceId}; for REJECT the whole frame,
 * {@code length}, {@code flowFlags = GENERATED}, {@code flowState = UNTRACKED},
 * {@code ingressPort = NO_PORT}; {@code scratch} (home bucket, then frontend id) and {@code key} (backend hint)
 * between passes; the affinity table.
 * <br><b>Next:</b> everything stays except DROP verdicts. Packets that are not NEW, or not to a
 * frontend, pass untouched.
 */
public final class ServiceDnatStage implements Stage {
    private static final int NO_FRONTEND = -1;

    private final PipelineContext context;
    private final ServiceDecision decision = new ServiceDecision();
    /** Keeps the touch pass's loads alive. */
    @SuppressWarnings("unused")
    private int sink;

    public ServiceDnatStage(PipelineContext context) {
        this.context = context;
    }

    @Override
    public int process(PacketBatch batch) {
        final int size = batch.size();
        final ServiceTable services = context.services();
        if (services == null) {
            return size;
        }
        final int[] frontend = batch.scratch;
        boolean any = false;
        for (int i = 0; i < size; i++) { // pass 1: every new flow's home bucket (arithmetic only)
            frontend[i] = NO_FRONTEND;
            final int protocol = batch.flowProto[i];
            if (batch.flowState[i] == FlowState.NEW && protocol != Ipv4Descriptor.PROTOCOL_ICMP) {
                frontend[i] = services.frontendHome(Addresses.IPV4_MAPPED_HI, Addresses.ipv4Lo(batch.flowDst[i]),
                        ConntrackDescriptor.destinationPort(batch.flowPorts[i]), protocol);
                any = true;
            }
        }
        if (!any) {
            return size;
        }
        int touched = 0;
        for (int i = 0; i < size; i++) { // pass 2: load every home bucket (nothing waits on these loads: their misses overlap)
            if (frontend[i] != NO_FRONTEND) {
                touched += services.touchFrontend(frontend[i]);
            }
        }
        any = false;
        for (int i = 0; i < size; i++) { // pass 3: every new flow's frontend, from buckets now in L1
            if (frontend[i] != NO_FRONTEND) {
                frontend[i] = services.findFrontendFrom(frontend[i], Addresses.IPV4_MAPPED_HI, Addresses.ipv4Lo(batch.flowDst[i]),
                        ConntrackDescriptor.destinationPort(batch.flowPorts[i]), batch.flowProto[i]);
                any |= frontend[i] != NO_FRONTEND;
            }
        }
        if (!any) {
            sink = touched;
            return size;
        }
        final int[] hint = batch.key;
        for (int i = 0; i < size; i++) { // pass 4: every flow's Maglev entry (independent loads)
            hint[i] = services.backendHint(frontend[i], batch.flowHash[i]);
        }
        for (int i = 0; i < size; i++) { // pass 5: every chosen backend record or backend line (independent loads)
            touched += services.touchBackend(hint[i]);
        }
        sink = touched;
        final MemorySegment segment = batch.segment();
        final FlowSettings settings = context.flowSettings();
        final long nowNs = context.nowNs();
        for (int i = 0; i < size; i++) { // pass 6: decide (from lines now in L1, reusing the hint) and act
            if (frontend[i] == NO_FRONTEND) {
                continue;
            }
            final int src = batch.flowSrc[i];
            final ServiceVerdict verdict = services.decide(frontend[i], hint[i], Addresses.IPV4_MAPPED_HI, Addresses.ipv4Lo(src),
                    batch.flowHash[i], sourceOf(settings, src), nowNs, settings.affinity(), decision);
            switch (verdict) {
                case FORWARD -> forward(batch, i, segment);
                case REJECT -> reject(batch, i, segment);
                case DROP_NO_LOCAL_ENDPOINT -> batch.markDrop(i, DropReason.SERVICE_NO_LOCAL_ENDPOINT);
                case DROP_SOURCE_NOT_ALLOWED -> batch.markDrop(i, DropReason.SERVICE_SOURCE_NOT_ALLOWED);
                case NOT_A_SERVICE -> {
                }
            }
        }
        return context.sweepDrops(batch);
    }

    private static TrafficSource sourceOf(FlowSettings settings, int src) {
        if (src == settings.nodeIpv4()) {
            return TrafficSource.NODE;
        }
        return settings.isPod(src) ? TrafficSource.CLUSTER_POD : TrafficSource.EXTERNAL;
    }

    private void forward(PacketBatch batch, int i, MemorySegment segment) {
        if (!Addresses.isIpv4Mapped(decision.backendAddressHi(), decision.backendAddressLo())) {
            batch.markDrop(i, DropReason.NO_ROUTE); // an IPv6 backend for an IPv4 frontend: the compiler never makes one
            return;
        }
        final int backend = Addresses.ipv4(decision.backendAddressLo());
        Ipv4TupleRewriter.rewrite(segment, batch.address[i] + batch.l3Offset[i], batch.address[i] + batch.l4Offset[i],
                batch.flowProto[i], batch.flowSrc[i], ConntrackDescriptor.sourcePort(batch.flowPorts[i]),
                backend, decision.backendPort());
        int flags = FlowFlags.DNAT;
        if (decision.snat()) {
            flags |= FlowFlags.SNAT;
        }
        if (decision.hairpin()) {
            flags |= FlowFlags.HAIRPIN | FlowFlags.SNAT;
        }
        batch.flowFlags[i] = flags;
        batch.serviceId[i] = decision.servicePortId();
    }

    private void reject(PacketBatch batch, int i, MemorySegment segment) {
        final int protocol = batch.flowProto[i];
        final int ports = batch.flowPorts[i];
        context.events().record(FlowEvents.KIND_SERVICE_REJECTED, DropReason.SERVICE_REJECTED, protocol,
                batch.flowSrc[i], ConntrackDescriptor.sourcePort(ports), batch.flowDst[i],
                ConntrackDescriptor.destinationPort(ports), batch.ingressPort[i]);
        context.countDropKeepingFrame(batch, i, DropReason.SERVICE_REJECTED);
        batch.length[i] = protocol == Ipv4Descriptor.PROTOCOL_TCP
                ? RejectReplyWriter.tcpReset(segment, batch.address[i])
                : RejectReplyWriter.icmpUnreachable(segment, batch.address[i], RejectReplyWriter.ICMP_CODE_PORT_UNREACHABLE);
        batch.flowFlags[i] = FlowFlags.GENERATED;
        batch.flowState[i] = FlowState.UNTRACKED;
        // The frame is now the fast path's own answer: if TX drops it, that must not count
        // against the client's port a second time.
        batch.ingressPort[i] = PacketBatch.NO_PORT;
    }
}
