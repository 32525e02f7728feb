package io.isthmus.slowpath.dns;

import io.isthmus.fastpath.packet.InternetChecksum;
import io.isthmus.fastpath.packet.Ipv4Address;
import io.isthmus.fastpath.packet.MacAddress;
import io.isthmus.fastpath.packet.NetworkOrder;
import io.isthmus.fastpath.pipeline.RouteTable;
import io.isthmus.fastpath.punt.InjectQueue;
import io.isthmus.fastpath.punt.PuntChannel;
import io.isthmus.fastpath.punt.PuntQueue;
import io.isthmus.fastpath.testing.StageHarness;
import io.isthmus.fastpath.testing.TestFrames;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The forwarder against fake upstreams on loopback: punted query frames in, reply frames out of
 * the inject queue (sent through an in-memory port), the clock driven by the test.
 */
class DnsForwarderTest {
    private static final long SWITCH_MAC = MacAddress.parse("02:00:00:00:00:04");
    private static final long POD_MAC = MacAddress.parse("0a:00:00:00:00:0c");
    private static final int POD_IP = Ipv4Address.parse("10.244.1.4");
    private static final int DNS_IP = Ipv4Address.parse("10.96.0.10");
    private static final int PORT = 3;
    private static final long TIMEOUT_NS = TimeUnit.MILLISECONDS.toNanos(500);
    /**
     * Real time a test waits for the forwarder's answer. The forwarder's own clock is the fake
     * {@link #now}, so this bound only decides how long a loaded machine may take to run the
     * fake upstream's thread: generous, since a passing test stops waiting at the answer.
     */
    private static final long REPLY_WAIT_NS = TimeUnit.SECONDS.toNanos(30);
    /** Between two polls the waiting thread yields its core to the fake upstream's thread. */
    private static final long PAUSE_NS = TimeUnit.MICROSECONDS.toNanos(100);

    private final long[] now = {5_000_000_000L};
    private final PuntChannel channel = new PuntChannel(new PuntQueue(), new InjectQueue());
    private final StageHarness wire = new StageHarness(RouteTable.builder(1).port(0, 1, 1).port(1, 2, 2).port(2, 3, 3)
            .port(3, SWITCH_MAC, POD_IP).build(), 4, 256);
    private final List<AutoCloseable> closing = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable resource : closing.reversed()) {
            resource.close();
        }
        wire.close();
        channel.punts().close();
        channel.injects().close();
    }

    private FakeUpstream upstream(Function<Message, Message> answer) throws IOException {
        final FakeUpstream upstream = new FakeUpstream(answer);
        closing.add(upstream);
        return upstream;
    }

    private DnsForwarder forwarder(List<InetSocketAddress> upstreams, int maxCache, int maxPending) throws IOException {
        final DnsForwarder forwarder = new DnsForwarder(new DnsForwarderSettings(upstreams, TIMEOUT_NS, maxCache, maxPending, 3600),
                List.of(channel), () -> now[0]);
        closing.add(forwarder::onClose);
        return forwarder;
    }

    private DnsForwarder forwarder(FakeUpstream upstream) throws IOException {
        return forwarder(List.of(upstream.address()), 100, 100);
    }

    private static Message query(String name, int type, int id, boolean edns) throws IOException {
        final Message query = Message.newQuery(Record.newRecord(Name.fromString(name), type, DClass.IN));
        query.getHeader().setID(id);
        if (edns) {
            query.addRecord(new OPTRecord(1232, 0, 0), Section.ADDITIONAL);
        }
        return query;
    }

    private void punt(Message query) {
        final byte[] frame = TestFrames.udpFrame(SWITCH_MAC, POD_MAC, POD_IP, DNS_IP, 64, 41000, 53, query.toWire());
        assertTrue(channel.punts().offer(MemorySegment.ofArray(frame), 0, frame.length, PORT));
    }

    /** Runs the forwarder until a reply leaves port 3 (at most 5 s of wall time); checks its headers, returns its DNS message. */
    private Message reply(DnsForwarder forwarder) throws IOException {
        final long deadline = System.nanoTime() + REPLY_WAIT_NS;
        while (System.nanoTime() < deadline) {
            forwarder.doWork();
            channel.injects().transmitInto(wire.context(), 16);
            final byte[] frame = wire.transmitted(PORT);
            if (frame != null) {
                final MemorySegment segment = MemorySegment.ofArray(frame);
                assertEquals(POD_MAC, NetworkOrder.mac(segment, 0));
                assertEquals(SWITCH_MAC, NetworkOrder.mac(segment, 6));
                assertEquals(DNS_IP, NetworkOrder.u32(segment, 26));
                assertEquals(POD_IP, NetworkOrder.u32(segment, 30));
                assertEquals(53, NetworkOrder.u16(segment, 34));
                assertEquals(41000, NetworkOrder.u16(segment, 36));
                assertEquals(0xFFFF, InternetChecksum.fold(InternetChecksum.sum(segment, 14, 20)));
                assertTrue(InternetChecksum.verify(InternetChecksum.pseudoHeaderSumIpv4(DNS_IP, POD_IP, 17, frame.length - 34),
                        segment, 34, frame.length - 34));
                return new Message(Arrays.copyOfRange(frame, 42, frame.length));
            }
            LockSupport.parkNanos(PAUSE_NS);
        }
        throw new AssertionError("no reply within " + TimeUnit.NANOSECONDS.toSeconds(REPLY_WAIT_NS) + " s");
    }

    /** Runs the forwarder a little and checks that nothing came out. */
    private void noReply(DnsForwarder forwarder) throws InterruptedException {
        for (int i = 0; i < 20; i++) {
            forwarder.doWork();
            channel.injects().transmitInto(wire.context(), 16);
            assertNull(wire.transmitted(PORT));
            Thread.sleep(5);
        }
    }

    private static Function<Message, Message> answering(String address, long ttl) {
        return query -> {
            final Message response = new Message(query.getHeader().getID());
            response.getHeader().setFlag(Flags.QR);
            response.getHeader().setFlag(Flags.RD);
            response.getHeader().setFlag(Flags.RA);
            response.addRecord(query.getQuestion(), Section.QUESTION);
            response.addRecord(new ARecord(query.getQuestion().getName(), DClass.IN, ttl, InetAddress.ofLiteral(address)), Section.ANSWER);
            return response;
        };
    }

    private static Message nxdomain(Message query, long soaTtl, long soaMinimum) {
        try {
            final Message response = new Message(query.getHeader().getID());
            response.getHeader().setFlag(Flags.QR);
            response.getHeader().setFlag(Flags.RA);
            response.getHeader().setRcode(Rcode.NXDOMAIN);
            response.addRecord(query.getQuestion(), Section.QUESTION);
            response.addRecord(new SOARecord(Name.fromString("example."), DClass.IN, soaTtl, Name.fromString("ns.example."),
                    Name.fromString("admin.example."), 1, 7200, 900, 86400, soaMinimum), Section.AUTHORITY);
            return response;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<String> answers(Message message) {
        return message.getSection(Section.ANSWER).stream().map(r -> Type.string(r.getType()) + " " + r.getTTL() + " " + r.rdataToString()).toList();
    }

    @Test
    void forwardsAMissAndAnswersTheNextFromTheCacheWithAgedTtls() throws IOException {
        final FakeUpstream upstream = upstream(answering("93.184.216.34", 30));
        final DnsForwarder forwarder = forwarder(upstream);
        punt(query("www.example.com.", Type.A, 0x1111, false));
        final Message first = reply(forwarder);
        assertEquals(0x1111, first.getHeader().getID(), "the pod's id, not ours");
        assertEquals(List.of("A 30 93.184.216.34"), answers(first));
        assertEquals(1, upstream.queries().size());

        now[0] += TimeUnit.SECONDS.toNanos(10);
        punt(query("WWW.Example.COM.", Type.A, 0x2222, false));
        final Message second = reply(forwarder);
        assertEquals(0x2222, second.getHeader().getID());
        assertEquals("WWW.Example.COM.", second.getQuestion().getName().toString(), "the question as the pod wrote it");
        assertEquals(List.of("A 20 93.184.216.34"), answers(second), "TTL lowered by the 10 s spent in the cache");
        assertEquals(1, upstream.queries().size(), "a cache hit asks no upstream");
        assertEquals(1, forwarder.count(DnsForwarder.Counter.CACHE_HITS));
    }

    @Test
    void anExpiredAnswerIsAskedAgain() throws IOException {
        final FakeUpstream upstream = upstream(answering("192.0.2.1", 30));
        final DnsForwarder forwarder = forwarder(upstream);
        punt(query("a.example.", Type.A, 1, false));
        reply(forwarder);
        now[0] += TimeUnit.SECONDS.toNanos(29);
        punt(query("a.example.", Type.A, 2, false));
        reply(forwarder);
        assertEquals(1, upstream.queries().size());
        now[0] += TimeUnit.SECONDS.toNanos(2);
        upstream.answer(answering("192.0.2.2", 30));
        punt(query("a.example.", Type.A, 3, false));
        assertEquals(List.of("A 30 192.0.2.2"), answers(reply(forwarder)));
        assertEquals(2, upstream.queries().size());
    }

    @Test
    void nxdomainIsCachedForTheSoaMinimum() throws IOException {
        final FakeUpstream upstream = upstream(query -> nxdomain(query, 300, 10));
        final DnsForwarder forwarder = forwarder(upstream);
        punt(query("nope.example.", Type.A, 1, false));
        assertEquals(Rcode.NXDOMAIN, reply(forwarder).getRcode());
        now[0] += TimeUnit.SECONDS.toNanos(9);
        punt(query("nope.example.", Type.A, 2, false));
        final Message cached = reply(forwarder);
        assertEquals(Rcode.NXDOMAIN, cached.getRcode());
        assertEquals(291, cached.getSection(Section.AUTHORITY).getFirst().getTTL());
        assertEquals(1, upstream.queries().size());
        now[0] += TimeUnit.SECONDS.toNanos(2);
        punt(query("nope.example.", Type.A, 3, false));
        reply(forwarder);
        assertEquals(2, upstream.queries().size(), "min(SOA TTL 300, MINIMUM 10) = 10 s");
    }

    @Test
    void aSilentUpstreamGivesServfailAfterTheTimeout() throws Exception {
        final FakeUpstream silent = upstream(query -> null);
        final DnsForwarder forwarder = forwarder(silent);
        punt(query("slow.example.", Type.A, 0x4242, false));
        noReply(forwarder);
        assertEquals(1, silent.queries().size());
        assertEquals(1, forwarder.pendingQueries());
        now[0] += TIMEOUT_NS;
        final Message reply = reply(forwarder);
        assertEquals(Rcode.SERVFAIL, reply.getRcode());
        assertEquals(0x4242, reply.getHeader().getID());
        assertEquals("slow.example.", reply.getQuestion().getName().toString());
        assertEquals(0, forwarder.pendingQueries());
        assertEquals(1, forwarder.count(DnsForwarder.Counter.SERVFAIL_TIMEOUT));
        punt(query("slow.example.", Type.A, 0x4243, false));
        noReply(forwarder);
        assertEquals(2, silent.queries().size(), "SERVFAIL is not cached");
    }

    @Test
    void afterATimeoutTheNextUpstreamIsAsked() throws Exception {
        final FakeUpstream silent = upstream(query -> null);
        final FakeUpstream working = upstream(answering("198.51.100.7", 60));
        final DnsForwarder forwarder = forwarder(List.of(silent.address(), working.address()), 100, 100);
        punt(query("retry.example.", Type.A, 7, false));
        noReply(forwarder);
        now[0] += TIMEOUT_NS;
        assertEquals(List.of("A 60 198.51.100.7"), answers(reply(forwarder)));
        assertEquals(1, silent.queries().size());
        assertEquals(1, working.queries().size());
        assertEquals(1, forwarder.count(DnsForwarder.Counter.RETRIES));
    }

    @Test
    void aResponseLargerThanTheClientTakesIsSentTruncated() throws IOException {
        final FakeUpstream upstream = upstream(query -> {
            final Message response = answering("192.0.2.1", 60).apply(query);
            for (int i = 2; i <= 60; i++) {
                response.addRecord(new ARecord(query.getQuestion().getName(), DClass.IN, 60, InetAddress.ofLiteral("192.0.2." + i)), Section.ANSWER);
            }
            return response;
        });
        final DnsForwarder forwarder = forwarder(upstream);
        punt(query("many.example.", Type.A, 9, false));
        final Message truncated = reply(forwarder);
        assertTrue(truncated.getHeader().getFlag(Flags.TC));
        assertEquals(List.of(), answers(truncated));
        punt(query("many.example.", Type.A, 10, true));
        final Message whole = reply(forwarder);
        assertNull(upstream.queries().getFirst().getOPT(), "the first query had no EDNS0 and went up without");
        assertFalse(whole.getHeader().getFlag(Flags.TC));
        assertEquals(60, answers(whole).size(), "an EDNS0 client takes 1232 bytes (from the cache)");
        assertEquals(1, upstream.queries().size());
    }

    @Test
    void theUpstreamIsAskedForNoMoreThanThePodTakes() throws IOException {
        final FakeUpstream upstream = upstream(answering("192.0.2.1", 60));
        final DnsForwarder forwarder = forwarder(upstream);
        final Message query = Message.newQuery(Record.newRecord(Name.fromString("edns.example."), Type.A, DClass.IN));
        query.addRecord(new OPTRecord(4096, 0, 0), Section.ADDITIONAL);
        punt(query);
        reply(forwarder);
        assertEquals(1232, upstream.queries().getFirst().getOPT().getPayloadSize());
    }

    @Test
    void theCacheAndThePendingQueriesAreBounded() throws Exception {
        final FakeUpstream upstream = upstream(answering("192.0.2.1", 300));
        final DnsForwarder forwarder = forwarder(List.of(upstream.address()), 2, 1);
        for (String name : List.of("a.example.", "b.example.", "c.example.", "a.example.")) {
            punt(query(name, Type.A, 1, false));
            reply(forwarder);
        }
        assertEquals(4, upstream.queries().size(), "a. was forgotten to make room for c.");
        assertEquals(2, forwarder.cachedAnswers());

        upstream.answer(query -> null);
        punt(query("d.example.", Type.A, 1, false));
        noReply(forwarder);
        punt(query("e.example.", Type.A, 2, false));
        final Message overload = reply(forwarder);
        assertEquals(Rcode.SERVFAIL, overload.getRcode(), "one pending query at most: the second fails at once");
        assertEquals(2, overload.getHeader().getID());
        assertEquals(1, forwarder.count(DnsForwarder.Counter.SERVFAIL_OVERLOAD));
    }

    @Test
    void responsesFromElsewhereOrForAnotherQuestionAreIgnored() throws Exception {
        final FakeUpstream upstream = upstream(query -> {
            final Message wrong = answering("192.0.2.66", 60).apply(query);
            wrong.removeAllRecords(Section.QUESTION);
            try {
                wrong.addRecord(Record.newRecord(Name.fromString("other.example."), Type.A, DClass.IN), Section.QUESTION);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            return wrong;
        });
        final DnsForwarder forwarder = forwarder(upstream);
        punt(query("mine.example.", Type.A, 1, false));
        noReply(forwarder);
        try (java.net.DatagramSocket stranger = new java.net.DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            final byte[] forged = answering("203.0.113.1", 60).apply(upstream.queries().getFirst()).toWire();
            stranger.send(new java.net.DatagramPacket(forged, forged.length, forwarder.localAddress().getAddress().isAnyLocalAddress()
                    ? new InetSocketAddress(InetAddress.getLoopbackAddress(), forwarder.localAddress().getPort()) : forwarder.localAddress()));
        }
        noReply(forwarder);
        assertEquals(1, forwarder.pendingQueries());
        assertEquals(0, forwarder.count(DnsForwarder.Counter.UPSTREAM_ANSWERS));
    }

    @Test
    void aPuntHandedInDirectlyIsAnsweredToItsSink() throws Exception {
        final FakeUpstream upstream = upstream(answering("192.0.2.9", 60));
        final DnsForwarder forwarder = forwarder(upstream);
        final List<byte[]> sent = new ArrayList<>();
        final List<Integer> ports = new ArrayList<>();
        final FrameSink sink = (frame, port) -> {
            sent.add(frame);
            ports.add(port);
            return true;
        };
        final byte[] frame = TestFrames.udpFrame(SWITCH_MAC, POD_MAC, POD_IP, DNS_IP, 64, 41000, 53, query("aeron.example.", Type.A, 77, false).toWire());
        forwarder.punted(frame, 5, sink);
        final long deadline = System.nanoTime() + REPLY_WAIT_NS;
        while (sent.isEmpty() && System.nanoTime() < deadline) {
            forwarder.doWork();
            LockSupport.parkNanos(PAUSE_NS);
        }
        assertEquals(List.of(5), ports);
        final Message reply = new Message(Arrays.copyOfRange(sent.getFirst(), 42, sent.getFirst().length));
        assertEquals(77, reply.getHeader().getID());
        assertEquals(List.of("A 60 192.0.2.9"), answers(reply));
        assertNull(wire.transmitted(PORT), "nothing through the channel's inject queue");
    }

    @Test
    void malformedPuntsAreCountedAndDropped() throws Exception {
        final FakeUpstream upstream = upstream(answering("192.0.2.1", 60));
        final DnsForwarder forwarder = forwarder(upstream);
        final byte[] notDns = TestFrames.udpFrame(SWITCH_MAC, POD_MAC, POD_IP, DNS_IP, 64, 41000, 53, new byte[7]);
        channel.punts().offer(MemorySegment.ofArray(notDns), 0, notDns.length, PORT);
        final byte[] response = query("x.example.", Type.A, 1, false).toWire();
        response[2] |= (byte) 0x80;
        final byte[] responseFrame = TestFrames.udpFrame(SWITCH_MAC, POD_MAC, POD_IP, DNS_IP, 64, 41000, 53, response);
        channel.punts().offer(MemorySegment.ofArray(responseFrame), 0, responseFrame.length, PORT);
        noReply(forwarder);
        assertEquals(2, forwarder.count(DnsForwarder.Counter.MALFORMED));
        assertEquals(0, upstream.queries().size());
    }
}
