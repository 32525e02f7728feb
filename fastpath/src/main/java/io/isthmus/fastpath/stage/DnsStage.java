package io.isthmus.fastpath.stage;

import io.isthmus.dns.answer.AnswerEngine;
import io.isthmus.dns.answer.Transport;
import io.isthmus.dns.zone.Zone;
import io.isthmus.fastpath.control.Published;
import io.isthmus.fastpath.frame.FrameMemory;
import io.isthmus.fastpath.packet.EthernetDescriptor;
import io.isthmus.fastpath.packet.Ipv4Descriptor;
import io.isthmus.fastpath.packet.NetworkOrder;
import io.isthmus.fastpath.packet.UdpDescriptor;
import io.isthmus.fastpath.pipeline.DropReason;
import io.isthmus.fastpath.pipeline.PacketBatch;
import io.isthmus.fastpath.pipeline.PipelineContext;
import io.isthmus.fastpath.pipeline.Stage;
import io.isthmus.fastpath.punt.PuntQueue;
import io.isthmus.fastpath.punt.UdpReplyFrame;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The node-local cluster DNS, inline: UDP queries to the cluster DNS Service address (e.g.
 * 10.96.0.10:53) are answered from the published {@link Zone} inside the frame they came in —
 * the {@link AnswerEngine} writes the response over the query, {@link UdpReplyFrame} turns the
 * headers around (MACs, addresses, ports, lengths, checksums) — and the reply is queued on the
 * ingress port's transmit queue at once. No socket, no allocation, no exception.
 *
 * <pre>
 *   IPv4/UDP to serviceIp:servicePort?  no ─▶ stays in the batch, untouched
 *        │ yes
 *   zone published?  no ─▶ stays untouched (goes on to its destination)
 *        │ yes
 *   AnswerEngine.answerOrPunt ─┬─ response ─────▶ turn around in place ─▶ ingress port TX (leaves the batch)
 *                              ├─ OUTSIDE_ZONE ─▶ copied to the punt queue, frame freed (leaves the batch)
 *                              │                  (no punt queue: stays untouched)
 *                              └─ NO_RESPONSE ──▶ dropped DNS_NOT_A_QUERY
 * </pre>
 *
 * Names outside the cluster domain go to the slow path's forwarder. Search-path probes that a
 * pod's {@code ndots:5} resolv.conf causes ({@code example.com.default.svc.cluster.local}) are in
 * the cluster domain and answered NXDOMAIN here, never forwarded. The response is bounded by the
 * client's UDP size (512 without EDNS0, its EDNS0 size up to 1232) and by the frame's tailroom;
 * what does not fit is sent with TC set (the engine decides).
 *
 * <p><b>Reads:</b> batch {@code etherType}, {@code l3Offset}, {@code l4Offset},
 * {@code ingressPort}; the IPv4 protocol and destination, the UDP destination port and length;
 * the DNS message; the published zone (once per batch).
 * <br><b>Writes:</b> for an answered query, the whole frame and {@code length[i]}.
 * <br><b>Next:</b> answered queries leave the batch into the ingress port's transmit queue (dropped
 * TX_RING_FULL when it is full); punted queries leave the batch (dropped PUNT_QUEUE_FULL when the
 * queue is full); UDP to the DNS address that is not a query (a response, under 12 bytes, a UDP
 * length beyond the datagram) is dropped DNS_NOT_A_QUERY; everything else stays, untouched.
 * Put it after the ARP responder and before conntrack, so answered queries create no flow state.
 *
 * <p><b>Thread-safety:</b> one worker's stage. The counters may be read from any thread.
 */
public final class DnsStage implements Stage {
    private static final VarHandle ANSWERED;
    private static final VarHandle PUNTED;

    static {
        try {
            final MethodHandles.Lookup lookup = MethodHandles.lookup();
            ANSWERED = lookup.findVarHandle(DnsStage.class, "answeredQueries", long.class);
            PUNTED = lookup.findVarHandle(DnsStage.class, "puntedQueries", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private static final int IPV4_UDP_L4_OFFSET = EthernetDescriptor.HEADER_LENGTH + Ipv4Descriptor.MIN_HEADER_LENGTH;

    private final PipelineContext context;
    private final AnswerEngine engine;
    private final Published<Zone> zone;
    private final PuntQueue punts;
    private final int serviceIp;
    private final int servicePort;
    @SuppressWarnings("unused") // through ANSWERED
    private long answeredQueries;
    @SuppressWarnings("unused") // through PUNTED
    private long puntedQueries;

    public DnsStage(PipelineContext context, DnsStageSettings settings) {
        this(context, settings, new AnswerEngine());
    }

    public DnsStage(PipelineContext context, DnsStageSettings settings, AnswerEngine engine) {
        this.context = context;
        this.engine = engine;
        this.zone = settings.zone();
        this.punts = settings.punts();
        this.serviceIp = settings.serviceIp();
        this.servicePort = settings.servicePort();
    }

    @Override
    public int process(PacketBatch batch) {
        final int size = batch.size();
        final Zone zone = this.zone.current();
        if (zone == null) {
            return size;
        }
        final MemorySegment segment = batch.segment();
        final FrameMemory memory = batch.memory();
        final int frameSize = memory.frameSizeBytes();
        for (int i = 0; i < size; i++) {
            if (isForUs(batch, i, segment) && answer(batch, i, segment, memory, frameSize, zone)) {
                batch.markLeft(i);
            }
        }
        return context.sweepDrops(batch);
    }

    /** IPv4 without options, UDP, to the cluster DNS address and port. */
    private boolean isForUs(PacketBatch batch, int i, MemorySegment segment) {
        if (batch.etherType[i] != EthernetDescriptor.ETHER_TYPE_IPV4 || batch.l4Offset[i] != IPV4_UDP_L4_OFFSET) {
            return false;
        }
        final long l3 = batch.address[i] + EthernetDescriptor.HEADER_LENGTH;
        return NetworkOrder.u8(segment, l3 + Ipv4Descriptor.PROTOCOL_OFFSET) == Ipv4Descriptor.PROTOCOL_UDP
                && NetworkOrder.u32(segment, l3 + Ipv4Descriptor.DST_OFFSET) == serviceIp
                && NetworkOrder.u16(segment, batch.address[i] + IPV4_UDP_L4_OFFSET + UdpDescriptor.DST_PORT_OFFSET) == servicePort;
    }

    /**
     * Answers, punts or drops query {@code i}; true when it left the batch, false when it stays
     * (outside the zone with no punt queue).
     */
    private boolean answer(PacketBatch batch, int i, MemorySegment segment, FrameMemory memory, int frameSize, Zone zone) {
        final long frame = batch.address[i];
        final int totalLength = NetworkOrder.u16(segment, frame + EthernetDescriptor.HEADER_LENGTH + Ipv4Descriptor.TOTAL_LENGTH_OFFSET);
        final int udpLength = NetworkOrder.u16(segment, frame + IPV4_UDP_L4_OFFSET + UdpDescriptor.LENGTH_OFFSET);
        if (udpLength < UdpDescriptor.HEADER_LENGTH || udpLength > totalLength - Ipv4Descriptor.MIN_HEADER_LENGTH) {
            context.drop(batch, i, DropReason.DNS_NOT_A_QUERY);
            return true;
        }
        final long message = frame + UdpReplyFrame.PAYLOAD_OFFSET;
        final int tailroom = (int) (memory.frameBase(frame) + frameSize - message);
        final int responseLength = engine.answerOrPunt(zone, segment, message, udpLength - UdpDescriptor.HEADER_LENGTH,
                tailroom, Transport.UDP);
        if (responseLength == AnswerEngine.OUTSIDE_ZONE) {
            return punt(batch, i, segment);
        }
        if (responseLength == AnswerEngine.NO_RESPONSE) {
            context.drop(batch, i, DropReason.DNS_NOT_A_QUERY);
            return true;
        }
        final int replyLength = UdpReplyFrame.turnAround(segment, frame, responseLength);
        batch.length[i] = replyLength;
        final int port = batch.ingressPort[i];
        if (context.port(port).transmit(frame, replyLength)) {
            ANSWERED.setRelease(this, (long) ANSWERED.getOpaque(this) + 1);
        } else {
            context.drop(batch, i, DropReason.TX_RING_FULL);
        }
        return true;
    }

    private boolean punt(PacketBatch batch, int i, MemorySegment segment) {
        if (punts == null) {
            return false;
        }
        if (punts.offer(segment, batch.address[i], batch.length[i], batch.ingressPort[i])) {
            PUNTED.setRelease(this, (long) PUNTED.getOpaque(this) + 1);
            context.pool().release(batch.address[i]);
        } else {
            context.drop(batch, i, DropReason.PUNT_QUEUE_FULL);
        }
        return true;
    }

    /** Queries answered inline and queued for transmission. */
    public long answeredQueries() {
        return (long) ANSWERED.getAcquire(this);
    }

    /** Queries handed to the punt queue. */
    public long puntedQueries() {
        return (long) PUNTED.getAcquire(this);
    }
}
