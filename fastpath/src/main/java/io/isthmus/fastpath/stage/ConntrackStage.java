package io.isthmus.fastpath.stage;

import io.isthmus.conntrack.ConntrackCursor;
import io.isthmus.conntrack.ConntrackDescriptor;
import io.isthmus.fastpath.packet.EthernetDescriptor;
import io.isthmus.fastpath.packet.Icmpv4Descriptor;
import io.isthmus.fastpath.packet.Ipv4Descriptor;
import io.isthmus.fastpath.packet.Ipv4TupleRewriter;
import io.isthmus.fastpath.packet.NetworkOrder;
import io.isthmus.fastpath.packet.RejectReplyWriter;
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
 * <p>Tracked: IPv4 TCP, UDP and ICMP echo (the identifier stands for both ports). ICMP errors
 * (destination unreachable, time exceeded) quoting a TCP/UDP packet of a known connection are
 * RELATED: looked up by the quoted tuple inverted (as Linux does), translated like the connection's
 * packets (outer destination, the quoted header, the outer source when it is the quoted packet's
 * destination; checksums), never decided. Everything else (ARP, IPv6, other protocols, errors
 * about unknown connections) is UNTRACKED and passes.
 *
 * <p><b>Reads:</b> batch {@code etherType}, {@code l3Offset}, {@code l4Offset}, {@code length}; the
 * IPv4 addresses and protocol, the ports / ICMP type and identifier, the TCP flags; the conntrack
 * table.
 * <br><b>Writes:</b> batch {@code flowState}, {@code flowFlags} (0), {@code serviceId} (0),
 * {@code flowSrc/flowDst/flowPorts/flowProto} (the tuple as it arrived), {@code flowHash},
 * {@code ctRef}, {@code ctSeqZone}, {@code ctOutPort}; for a hit the packet's addresses, ports and checksums and the
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
            batch.ctOutPort[i] = PacketBatch.NO_PORT;
            batch.flowState[i] = FlowState.UNTRACKED;
            if (batch.etherType[i] != EthernetDescriptor.ETHER_TYPE_IPV4 || !readTuple(batch, i, segment)) {
                batch.flowState[i] = FlowState.UNTRACKED; // readTuple may have said RELATED before giving up
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
            if (batch.flowState[i] == FlowState.RELATED) {
                if (ref < 0) {
                    batch.flowState[i] = FlowState.UNTRACKED; // about no connection we know: passes as it is
                } else {
                    translateRelated(batch, i, segment, j);
                }
                continue;
            }
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
                    batch.ctOutPort[i] = flows.outPort(j);
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
                if (type == Icmpv4Descriptor.TYPE_DESTINATION_UNREACHABLE || type == Icmpv4Descriptor.TYPE_TIME_EXCEEDED) {
                    return readQuotedTuple(batch, i, segment, l3, l4);
                }
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

    /**
     * An ICMP error quoting an option-less IPv4 TCP/UDP packet: its key is the quoted tuple
     * inverted (the direction the error travels, as Linux looks RELATED packets up), its state
     * RELATED. False (untracked) when the quote is shorter than a header and 8 bytes, or not TCP/UDP.
     */
    private static boolean readQuotedTuple(PacketBatch batch, int i, MemorySegment segment, long l3, long l4) {
        final int icmpBytes = NetworkOrder.u16(segment, l3 + Ipv4Descriptor.TOTAL_LENGTH_OFFSET) - Ipv4Descriptor.MIN_HEADER_LENGTH;
        if (icmpBytes < RejectReplyWriter.ICMP_QUOTE_BYTES + Icmpv4Descriptor.HEADER_LENGTH) {
            return false;
        }
        final long quote = l4 + Icmpv4Descriptor.HEADER_LENGTH;
        final int protocol = NetworkOrder.u8(segment, quote + Ipv4Descriptor.PROTOCOL_OFFSET);
        if (NetworkOrder.u8(segment, quote) != 0x45
                || (protocol != Ipv4Descriptor.PROTOCOL_TCP && protocol != Ipv4Descriptor.PROTOCOL_UDP)) {
            return false;
        }
        final int quotedPorts = NetworkOrder.u32(segment, quote + Ipv4Descriptor.MIN_HEADER_LENGTH);
        batch.flowSrc[i] = NetworkOrder.u32(segment, quote + Ipv4Descriptor.DST_OFFSET);
        batch.flowDst[i] = NetworkOrder.u32(segment, quote + Ipv4Descriptor.SRC_OFFSET);
        batch.flowPorts[i] = quotedPorts << 16 | quotedPorts >>> 16;
        batch.flowProto[i] = protocol;
        batch.flowHash[i] = 0;
        batch.flowState[i] = FlowState.RELATED;
        return true;
    }

    /**
     * Translates the ICMP error {@code i} for its connection (hit {@code j}): the tuple the hit
     * gives is the error's direction, so the quoted packet becomes its mirror.
     */
    private void translateRelated(PacketBatch batch, int i, MemorySegment segment, int j) {
        final long l3 = batch.address[i] + batch.l3Offset[i];
        final int natPorts = flows.natPorts(j);
        Ipv4TupleRewriter.rewriteIcmpError(segment, l3,
                NetworkOrder.u16(segment, l3 + Ipv4Descriptor.TOTAL_LENGTH_OFFSET) - Ipv4Descriptor.MIN_HEADER_LENGTH,
                flows.natDst(j), ConntrackDescriptor.destinationPort(natPorts),
                flows.natSrc(j), ConntrackDescriptor.sourcePort(natPorts));
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
