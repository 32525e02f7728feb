package io.isthmus.slowpath.dns;

import io.isthmus.dns.wire.DnsHeaderDescriptor;
import io.isthmus.dns.wire.Rcode;
import io.isthmus.fastpath.packet.EthernetDescriptor;
import io.isthmus.fastpath.packet.Ipv4Descriptor;
import io.isthmus.fastpath.packet.NetworkOrder;
import io.isthmus.fastpath.packet.UdpDescriptor;
import io.isthmus.fastpath.punt.PuntChannel;
import io.isthmus.fastpath.punt.PuntDescriptor;
import io.isthmus.fastpath.punt.PuntHandler;
import io.isthmus.fastpath.punt.UdpReplyFrame;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.NanoClock;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The agent's DNS forwarder: answers the queries the fast path punted (names outside the cluster
 * domain) by asking the node's upstream resolvers, and sends the reply frame back to the pod
 * through the worker's inject queue.
 *
 * <pre>
 *   PuntQueue ──▶ parse frame + question ──▶ cache hit? ──yes──▶ reply (TTLs aged, id and case of the query)
 *   (per worker)                                 │ no
 *                                                ▼
 *                     send to upstream[0] (new random id) ──▶ pending (bounded)
 *   upstream socket ──▶ response (id, source, question match) ──▶ cache by TTL ──▶ reply
 *   timeout ──▶ next upstream, … ──▶ after the last: SERVFAIL
 *   reply = the punted frame's headers turned around (UdpReplyFrame) + the response ──▶ InjectQueue(port)
 * </pre>
 *
 * The query goes upstream as the pod sent it, with our id and its EDNS0 payload size lowered to
 * what we pass on (at most 1232); responses larger than the client's UDP size (512, or its EDNS0
 * size up to 1232) are sent empty with TC. Answers are cached by their smallest answer TTL; NXDOMAIN and NODATA by the SOA's
 * min(TTL, MINIMUM) (RFC 2308); SERVFAIL, REFUSED and truncated responses are not cached. Memory
 * is bounded: at most {@code maxCacheEntries} cached and {@code maxPendingQueries} pending
 * queries (beyond that a query gets SERVFAIL at once).
 *
 * <p>Upstream queries carry a fresh random id (from {@link SecureRandom}), and a response is taken
 * only from an upstream address with an id we are waiting for and the same question.
 *
 * <p>Punted frames come from the {@link PuntChannel}s given (drained by {@link #doWork()}), or are
 * handed in one by one with {@link #punted} (a punt that travelled over Aeron), with the
 * {@link FrameSink} its reply must go to.
 *
 * <p><b>Thread-safety:</b> an Agrona {@link Agent}: {@link #doWork()} and {@link #onClose()} run on
 * one thread (the consumer of every punt queue given). The counters may be read from any thread.
 */
public final class DnsForwarder implements Agent {
    private static final int DRAIN_LIMIT = 64;
    private static final int RECEIVE_LIMIT = 64;
    private static final int MAX_RESPONSE_BYTES = PuntDescriptor.MAX_FRAME_BYTES - UdpReplyFrame.PAYLOAD_OFFSET;

    /** What the forwarder counted. */
    public enum Counter { FORWARDED, CACHE_HITS, UPSTREAM_ANSWERS, RETRIES, SERVFAIL_TIMEOUT, SERVFAIL_OVERLOAD, MALFORMED, TRUNCATED, INJECT_REFUSED }

    private final DnsForwarderSettings settings;
    private final List<PuntChannel> channels;
    private final FrameSink[] channelReplies;
    private final NanoClock clock;
    private final DatagramChannel upstream;
    private final Set<SocketAddress> upstreamAddresses;
    private final DnsCache cache;
    private final Map<Integer, Pending> pending = new HashMap<>();
    private final ArrayDeque<Pending> byDeadline = new ArrayDeque<>();
    private final Random ids = new SecureRandom();
    private final ByteBuffer receiveBuffer = ByteBuffer.allocateDirect(65_535);
    private final AtomicLong[] counters = new AtomicLong[Counter.values().length];
    private FrameSink currentReplies;
    private long nowNs;
    private final PuntHandler onPunt = (memory, frame, frameLength, port) -> onPunt(memory, frame, frameLength, port, currentReplies);

    /** A query waiting for an upstream. */
    private static final class Pending {
        final FrameSink replies;
        final int port;
        final byte[] frameHead;
        final byte[] query;
        final DnsQuestion question;
        final int clientId;
        final int upstreamId;
        int upstreamIndex;
        int attempts;
        long deadlineNs;
        boolean done;

        Pending(FrameSink replies, int port, byte[] frameHead, byte[] query, DnsQuestion question, int upstreamId) {
            this.replies = replies;
            this.port = port;
            this.frameHead = frameHead;
            this.query = query;
            this.question = question;
            this.clientId = DnsMessages.id(query);
            this.upstreamId = upstreamId;
        }
    }

    /**
     * @param channels the punt/inject queue pair of every worker (this forwarder drains each punt queue)
     * @throws IOException the upstream socket cannot be opened
     */
    public DnsForwarder(DnsForwarderSettings settings, List<PuntChannel> channels, NanoClock clock) throws IOException {
        this.settings = settings;
        this.channels = List.copyOf(channels);
        this.channelReplies = new FrameSink[this.channels.size()];
        for (int c = 0; c < channelReplies.length; c++) {
            channelReplies[c] = this.channels.get(c).injects()::offer;
        }
        this.clock = clock;
        this.cache = new DnsCache(settings.maxCacheEntries());
        this.upstreamAddresses = new HashSet<>(settings.upstreams());
        for (int i = 0; i < counters.length; i++) {
            counters[i] = new AtomicLong();
        }
        this.upstream = DatagramChannel.open();
        upstream.configureBlocking(false);
        upstream.bind(null);
    }

    @Override
    public String roleName() {
        return "dns-forwarder";
    }

    @Override
    public int doWork() {
        nowNs = clock.nanoTime();
        int work = 0;
        for (int c = 0; c < channels.size(); c++) {
            currentReplies = channelReplies[c];
            work += channels.get(c).punts().drain(onPunt, DRAIN_LIMIT);
        }
        work += receiveResponses();
        work += expire();
        return work;
    }

    @Override
    public void onClose() {
        try {
            upstream.close();
        } catch (IOException e) {
            throw new UncheckedIOException("closing the DNS forwarder's upstream socket", e);
        }
    }

    public long count(Counter counter) {
        return counters[counter.ordinal()].get();
    }

    /** Queries waiting for an upstream now. */
    public int pendingQueries() {
        return pending.size();
    }

    public int cachedAnswers() {
        return cache.size();
    }

    /** The local address of the upstream socket (tests). */
    public InetSocketAddress localAddress() throws IOException {
        return (InetSocketAddress) upstream.getLocalAddress();
    }

    private void increment(Counter counter) {
        counters[counter.ordinal()].incrementAndGet();
    }

    /**
     * The forwarder's thread: a punted query frame that reached the slow path some other way (e.g.
     * over Aeron); the reply goes to {@code replies} with {@code ingressPort} as its egress port.
     */
    public void punted(byte[] frame, int ingressPort, FrameSink replies) {
        nowNs = clock.nanoTime();
        onPunt(MemorySegment.ofArray(frame), 0, frame.length, ingressPort, replies);
    }

    /** A punted frame: Ethernet + IPv4 (no options) + UDP + DNS query, as the DNS stage punts them. */
    private void onPunt(MemorySegment memory, long frame, int frameLength, int port, FrameSink replies) {
        if (frameLength < UdpReplyFrame.PAYLOAD_OFFSET
                || NetworkOrder.u16(memory, frame + EthernetDescriptor.ETHER_TYPE_OFFSET) != EthernetDescriptor.ETHER_TYPE_IPV4
                || NetworkOrder.u8(memory, frame + UdpReplyFrame.IPV4_OFFSET) != 0x45
                || NetworkOrder.u8(memory, frame + UdpReplyFrame.IPV4_OFFSET + Ipv4Descriptor.PROTOCOL_OFFSET) != Ipv4Descriptor.PROTOCOL_UDP) {
            increment(Counter.MALFORMED);
            return;
        }
        final int udpLength = NetworkOrder.u16(memory, frame + UdpReplyFrame.UDP_OFFSET + UdpDescriptor.LENGTH_OFFSET);
        if (udpLength < UdpDescriptor.HEADER_LENGTH || UdpReplyFrame.UDP_OFFSET + udpLength > frameLength) {
            increment(Counter.MALFORMED);
            return;
        }
        final int queryLength = udpLength - UdpDescriptor.HEADER_LENGTH;
        final DnsQuestion question = DnsQuestion.parse(memory, frame + UdpReplyFrame.PAYLOAD_OFFSET, queryLength);
        if (question == null) {
            increment(Counter.MALFORMED);
            return;
        }
        final byte[] frameHead = memory.asSlice(frame, UdpReplyFrame.PAYLOAD_OFFSET).toArray(ValueLayout.JAVA_BYTE);
        final byte[] query = memory.asSlice(frame + UdpReplyFrame.PAYLOAD_OFFSET, queryLength).toArray(ValueLayout.JAVA_BYTE);

        final DnsCache.Cached cached = cache.get(question.key(), nowNs);
        if (cached != null) {
            increment(Counter.CACHE_HITS);
            final byte[] response = cached.response().clone();
            DnsMessages.age(response, (nowNs - cached.storedNs()) / 1_000_000_000L);
            reply(replies, port, frameHead, query, question, response);
            return;
        }
        if (pending.size() >= settings.maxPendingQueries()) {
            increment(Counter.SERVFAIL_OVERLOAD);
            reply(replies, port, frameHead, query, question,
                    DnsMessages.headerAndQuestion(query, question.questionEnd(), 0, Rcode.SERVFAIL));
            return;
        }
        int upstreamId;
        do {
            upstreamId = ids.nextInt(1 << 16);
        } while (pending.containsKey(upstreamId));
        final Pending forwarded = new Pending(replies, port, frameHead, query, question, upstreamId);
        pending.put(upstreamId, forwarded);
        increment(Counter.FORWARDED);
        send(forwarded);
    }

    private void send(Pending query) {
        query.attempts++;
        query.deadlineNs = nowNs + settings.attemptTimeoutNs();
        byDeadline.addLast(query);
        final byte[] wire = query.query.clone();
        DnsMessages.id(wire, query.upstreamId);
        if (query.question.optPayloadSizeOffset() >= 0) {
            // Ask for no more than the pod can take from us, so the upstream trims (or truncates) for it.
            DnsMessages.u16(wire, query.question.optPayloadSizeOffset(), query.question.udpLimitBytes());
        }
        try {
            upstream.send(ByteBuffer.wrap(wire), settings.upstreams().get(query.upstreamIndex));
        } catch (IOException e) {
            // unreachable upstream (e.g. no route): the attempt times out and the next one is asked
        }
    }

    private int receiveResponses() {
        int received = 0;
        for (; received < RECEIVE_LIMIT; received++) {
            final SocketAddress from;
            receiveBuffer.clear();
            try {
                from = upstream.receive(receiveBuffer);
            } catch (IOException e) {
                continue; // e.g. an ICMP port unreachable reported on this socket: that attempt times out
            }
            if (from == null) {
                break;
            }
            receiveBuffer.flip();
            if (!upstreamAddresses.contains(from) || receiveBuffer.remaining() < DnsHeaderDescriptor.LENGTH_BYTES) {
                continue;
            }
            final byte[] response = new byte[receiveBuffer.remaining()];
            receiveBuffer.get(response);
            onResponse(response);
        }
        return received;
    }

    private void onResponse(byte[] response) {
        final Pending query = pending.get(DnsMessages.id(response));
        if (query == null) {
            return; // late (answered or timed out) or forged
        }
        final DnsQuestion question = DnsQuestion.parseResponse(MemorySegment.ofArray(response), 0, response.length);
        if (question == null || !question.key().equals(query.question.key()) || question.questionEnd() != query.question.questionEnd()) {
            return;
        }
        pending.remove(query.upstreamId);
        query.done = true;
        increment(Counter.UPSTREAM_ANSWERS);
        DnsMessages.id(response, 0);
        final long ttl = DnsMessages.cacheSeconds(response, settings.maxTtlSeconds());
        if (ttl != DnsMessages.NO_CACHE && response.length <= MAX_RESPONSE_BYTES) {
            cache.put(query.question.key(), response, ttl, nowNs);
        }
        reply(query.replies, query.port, query.frameHead, query.query, query.question, response);
    }

    /** Timed-out attempts: ask the next upstream, or SERVFAIL after the last. */
    private int expire() {
        int work = 0;
        while (!byDeadline.isEmpty()) {
            final Pending query = byDeadline.peekFirst();
            if (query.done) {
                byDeadline.pollFirst(); // answered meanwhile
                continue;
            }
            if (nowNs - query.deadlineNs < 0) {
                break; // deadlines are in send order (one timeout for all), so the rest are later
            }
            byDeadline.pollFirst();
            work++;
            if (query.attempts < settings.upstreams().size()) {
                increment(Counter.RETRIES);
                query.upstreamIndex++;
                send(query);
            } else {
                pending.remove(query.upstreamId);
                query.done = true;
                increment(Counter.SERVFAIL_TIMEOUT);
                reply(query.replies, query.port, query.frameHead, query.query, query.question,
                        DnsMessages.headerAndQuestion(query.query, query.question.questionEnd(), 0, Rcode.SERVFAIL));
            }
        }
        return work;
    }

    /**
     * Sends {@code response} to the pod: the query's id and question (the client's letter case),
     * TC and empty when larger than the client takes, in the punted frame's headers turned around.
     */
    private void reply(FrameSink replies, int port, byte[] frameHead, byte[] query, DnsQuestion question, byte[] response) {
        DnsMessages.id(response, DnsMessages.id(query));
        System.arraycopy(query, DnsHeaderDescriptor.LENGTH_BYTES, response, DnsHeaderDescriptor.LENGTH_BYTES,
                question.questionEnd() - DnsHeaderDescriptor.LENGTH_BYTES);
        byte[] payload = response;
        if (payload.length > question.udpLimitBytes()) {
            increment(Counter.TRUNCATED);
            payload = DnsMessages.headerAndQuestion(response, question.questionEnd(), DnsHeaderDescriptor.FLAG_TC,
                    DnsMessages.rcode(response));
        }
        final byte[] frame = new byte[UdpReplyFrame.PAYLOAD_OFFSET + payload.length];
        System.arraycopy(frameHead, 0, frame, 0, UdpReplyFrame.PAYLOAD_OFFSET);
        System.arraycopy(payload, 0, frame, UdpReplyFrame.PAYLOAD_OFFSET, payload.length);
        UdpReplyFrame.turnAround(MemorySegment.ofArray(frame), 0, payload.length);
        if (!replies.send(frame, port)) {
            increment(Counter.INJECT_REFUSED);
        }
    }
}
