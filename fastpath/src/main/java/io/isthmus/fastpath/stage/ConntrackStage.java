package io.isthmus.fastpath.stage;

import io.isthmus.conntrack.ConntrackCursor;
import io.isthmus.conntrack.ConntrackDescriptor;
import io.isthmus.fastpath.packet.EthernetDescriptor;
import io.isthmus.fastpath.packet.Icmpv4Descriptor;
import io.isthmus.fastpath.packet.Ipv4Descriptor;
import io.isthmus.fastpath.packet.Ipv4TupleRewriter;
import io.isthmus.fastpath.packet.NetworkOrder;
import io.isthmus.fastpath.packet.TcpDescriptor;
import io.isthmus.fastpath.pipeline.DropReason;
import io.isthmus.fastpath.pipeline.FlowState;
import io.isthmus.fastpath.pipeline.PacketBatch;
import io.isthmus.fastpath.pipeline.PipelineContext;
import io.isthmus.fastpath.pipeline.Stage;

import java.lang.foreign.MemorySegment;

/**
 * Connection tracking for the whole batch: packets of known connections get their stored NAT
 * rewrite and skip every decision their first packet made; the others are marked NEW for the
 * Service, policy and commit stages.
 *
 * <p>Three passes: read every packet's tuple and hash it; look every tuple up at once
 * ({@link ConntrackFlows#lookup}, itself in passes); then act: a hit is tracked (state machine,
 * counters, last seen) and rewritten to the tuple the entry gives (DNAT / un-DNAT, SNAT / un-SNAT,
 * RFC 1624 checksum updates); a miss, or an entry removed since the lookup, is NEW.
 *
 * <p>Tracked: IPv4 TCP, UDP and ICMP echo (the identifier stands for both ports). Everything else
 * (ARP, IPv6, ICMP errors, other protocols, frames the fast path built) is UNTRACKED and passes.
 *
 * <p><b>Reads:</b> batch {@code etherType}, {@code l3Offset}, {@code l4Offset}, {@code length}; the
 * IPv4 addresses and protocol, the ports / ICMP type and identifier, the TCP flags; the conntrack
 * table.
 * <br><b>Writes:</b> batch {@code flowState}, {@code flowFlags} (0), {@code serviceId} (0),
 * {@code flowSrc/flowDst/flowPorts/flowProto} (the tuple as it arrived), {@code flowHash},
 * {@code ctRef}, {@code ctSeqZone}; for a hit the packet's addresses, ports and checksums and the
 * entry's state and counters.
 * <br><b>Next:</b> every packet stays, except one its connection's state refuses (conntrack
 * INVALID, as kube-proxy drops): dropped CONNTRACK_INVALID.
 */
public final class ConntrackStage implements Stage {
    private final PipelineContext context;
    private final ConntrackFlows flows;
    /** Lookup index j → batch index i. */
    private final int[] packetOf = new int[PacketBatch.CAPACITY];

    public ConntrackStage(PipelineContext context, ConntrackFlows flows) {
        this.context = context;
        this.flows = flows;
    }

    @Override
    public int process(PacketBatch batch) {
        final int size = batch.size();
        final MemorySegment segment = batch.segment();
        flows.beginBatch(System.currentTimeMillis());
        int count = 0;
        for (int i = 0; i < size; i++) { // pass 1: tuple and hash of every trackable packet
            batch.flowFlags[i] = 0;
            batch.serviceId[i] = 0;
            batch.ctRef[i] = -1;
            if (batch.etherType[i] != EthernetDescriptor.ETHER_TYPE_IPV4 || !readTuple(batch, i, segment)) {
                batch.flowState[i] = FlowState.UNTRACKED;
                continue;
            }
            flows.key(count, batch.flowSrc[i], batch.flowDst[i], batch.flowPorts[i], batch.flowProto[i]);
            packetOf[count++] = i;
        }
        if (count == 0) {
            return size;
        }
        flows.lookup(count); // pass 2
        for (int j = 0; j < count; j++) { // pass 3: act
            final int i = packetOf[j];
            final int ref = flows.ref(j);
            if (ref < 0) {
                batch.flowState[i] = FlowState.NEW;
                continue;
            }
            final long l4 = batch.address[i] + batch.l4Offset[i];
            final int tcpFlags = batch.flowProto[i] == Ipv4Descriptor.PROTOCOL_TCP
                    ? NetworkOrder.u8(segment, l4 + TcpDescriptor.FLAGS_OFFSET) : 0;
            final int seqZone = flows.seqZone(j);
            switch (flows.track(ref, seqZone, tcpFlags, batch.length[i])) {
                case ConntrackCursor.TRACK_ACCEPT -> {
                    batch.flowState[i] = ConntrackFlows.isReply(ref) ? FlowState.REPLY : FlowState.ESTABLISHED;
                    batch.ctRef[i] = ref;
                    batch.ctSeqZone[i] = seqZone;
                    applyNat(batch, i, segment, j);
                }
                case ConntrackCursor.TRACK_INVALID -> {
                    batch.flowState[i] = FlowState.INVALID;
                    batch.markDrop(i, DropReason.CONNTRACK_INVALID);
                }
                default -> batch.flowState[i] = FlowState.NEW; // removed since the lookup
            }
        }
        return context.sweepDrops(batch);
    }

    /** Fills the flow tuple and hash of IPv4 packet {@code i}; false when it is not trackable. */
    private static boolean readTuple(PacketBatch batch, int i, MemorySegment segment) {
        final long l3 = batch.address[i] + batch.l3Offset[i];
        final int protocol = NetworkOrder.u8(segment, l3 + Ipv4Descriptor.PROTOCOL_OFFSET);
        final long l4 = batch.address[i] + batch.l4Offset[i];
        final int ports;
        switch (protocol) {
            case Ipv4Descriptor.PROTOCOL_TCP, Ipv4Descriptor.PROTOCOL_UDP -> ports = NetworkOrder.u32(segment, l4);
            case Ipv4Descriptor.PROTOCOL_ICMP -> {
                final int type = NetworkOrder.u8(segment, l4);
                if (type != Icmpv4Descriptor.TYPE_ECHO_REQUEST && type != Icmpv4Descriptor.TYPE_ECHO_REPLY) {
                    return false;
                }
                final int identifier = NetworkOrder.u16(segment, l4 + Icmpv4Descriptor.IDENTIFIER_OFFSET);
                ports = ConntrackDescriptor.ports(identifier, identifier);
            }
            default -> {
                return false;
            }
        }
        final int src = NetworkOrder.u32(segment, l3 + Ipv4Descriptor.SRC_OFFSET);
        final int dst = NetworkOrder.u32(segment, l3 + Ipv4Descriptor.DST_OFFSET);
        batch.flowSrc[i] = src;
        batch.flowDst[i] = dst;
        batch.flowPorts[i] = ports;
        batch.flowProto[i] = protocol;
        batch.flowHash[i] = FlowHash.of(src, dst, ports, protocol);
        return true;
    }

    /** Rewrites packet {@code i} to the tuple hit {@code j} gives, when it differs (NAT). */
    private void applyNat(PacketBatch batch, int i, MemorySegment segment, int j) {
        final int natSrc = flows.natSrc(j);
        final int natDst = flows.natDst(j);
        final int natPorts = flows.natPorts(j);
        if (natSrc == batch.flowSrc[i] && natDst == batch.flowDst[i] && natPorts == batch.flowPorts[i]) {
            return;
        }
        Ipv4TupleRewriter.rewrite(segment, batch.address[i] + batch.l3Offset[i], batch.address[i] + batch.l4Offset[i],
                batch.flowProto[i], natSrc, ConntrackDescriptor.sourcePort(natPorts), natDst,
                ConntrackDescriptor.destinationPort(natPorts));
    }
}
