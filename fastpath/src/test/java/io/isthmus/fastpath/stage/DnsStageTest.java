package io.isthmus.fastpath.stage;

import io.isthmus.dns.zone.Zone;
import io.isthmus.fastpath.control.Published;
import io.isthmus.fastpath.packet.InternetChecksum;
import io.isthmus.fastpath.packet.Ipv4Address;
import io.isthmus.fastpath.packet.NetworkOrder;
import io.isthmus.fastpath.pipeline.DropReason;
import io.isthmus.fastpath.punt.PuntQueue;
import io.isthmus.fastpath.punt.UdpReplyFrame;
import io.isthmus.fastpath.testing.StageHarness;
import io.isthmus.fastpath.testing.TestFrames;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static io.isthmus.fastpath.stage.DnsStageFixtures.*;
import static io.isthmus.fastpath.stage.StageFixtures.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The DNS stage on its own (parse, then DNS) over in-memory ports: replies leave by the ingress
 * port, decoded by dnsjava (an independent codec) with the frame's headers and checksums checked;
 * names outside the cluster go to the punt queue; everything else is left alone.
 */
class DnsStageTest {
    private static final Zone ZONE = DnsStageFixtures.zone();

    private final Published<Zone> zone = new Published<>(ZONE);
    private final PuntQueue punts = new PuntQueue();
    private final StageHarness harness = new StageHarness(StageFixtures.table());
    private final ParseStage parse = harness.stage(ParseStage::new);
    private final DnsStage dns = harness.stage(context -> new DnsStage(context, new DnsStageSettings(DNS_SERVICE_IP, DNS_PORT, zone, punts)));

    @AfterEach
    void close() {
        harness.close();
        punts.close();
    }

    /** Sends {@code frame} in on port 0 (pod A) and returns the reply that left port 0. */
    private byte[] exchange(byte[] frame) {
        harness.add(0, frame);
        assertEquals(0, harness.run(parse, dns), "an answered query leaves the batch");
        final byte[] reply = harness.transmitted(0);
        assertNotNull(reply, "a reply out of the ingress port");
        assertNull(harness.transmitted(1), "nothing on another port");
        return reply;
    }

    /** Checks Ethernet/IPv4/UDP of a reply to pod A and decodes its DNS message. */
    private static Message replyTo(byte[] reply) throws IOException {
        final MemorySegment frame = MemorySegment.ofArray(reply);
        assertEquals(POD_MAC_A, NetworkOrder.mac(frame, 0), "to the pod's MAC");
        assertEquals(SWITCH_MAC_0, NetworkOrder.mac(frame, 6), "from the switch MAC it was sent to");
        assertEquals(0x0800, NetworkOrder.u16(frame, 12));
        assertEquals(0x45, NetworkOrder.u8(frame, 14));
        assertEquals(reply.length - 14, NetworkOrder.u16(frame, 16), "IPv4 total length");
        assertEquals(17, NetworkOrder.u8(frame, 23));
        assertEquals(0xFFFF, InternetChecksum.fold(InternetChecksum.sum(frame, 14, 20)), "IPv4 header checksum verifies");
        assertEquals(Ipv4Address.format(DNS_SERVICE_IP), Ipv4Address.format(NetworkOrder.u32(frame, 26)));
        assertEquals(Ipv4Address.format(POD_A), Ipv4Address.format(NetworkOrder.u32(frame, 30)));
        assertEquals(DNS_PORT, NetworkOrder.u16(frame, 34));
        assertEquals(POD_PORT, NetworkOrder.u16(frame, 36));
        final int udpLength = NetworkOrder.u16(frame, 38);
        assertEquals(reply.length - 34, udpLength, "UDP length");
        assertTrue(InternetChecksum.verify(InternetChecksum.pseudoHeaderSumIpv4(DNS_SERVICE_IP, POD_A, 17, udpLength), frame, 34, udpLength),
                "UDP checksum verifies");
        final Message message = new Message(Arrays.copyOfRange(reply, UdpReplyFrame.PAYLOAD_OFFSET, reply.length));
        assertEquals(0x1234, message.getHeader().getID());
        assertTrue(message.getHeader().getFlag(Flags.QR));
        return message;
    }

    private static List<String> answers(Message message) {
        final List<String> rdata = new ArrayList<>();
        for (Record record : message.getSection(Section.ANSWER)) {
            rdata.add(Type.string(record.getType()) + " " + record.rdataToString());
        }
        return rdata;
    }

    @Test
    void answersAnAQueryInPlaceOutOfTheIngressPort() throws IOException {
        final Message reply = replyTo(exchange(queryFrame(SWITCH_MAC_0, POD_MAC_A, POD_A, query("web.default.svc.cluster.local.", Type.A))));
        assertEquals(Rcode.NOERROR, reply.getRcode());
        assertTrue(reply.getHeader().getFlag(Flags.AA));
        assertEquals(List.of("A 10.96.0.20"), answers(reply));
        assertEquals(1, dns.answeredQueries());
        assertEquals(0, harness.totalDrops());
        assertEquals(0, punts.puntedFrames());
    }

    @Test
    void aaaaOfAnIpv4ServiceIsNodataWithTheSoa() throws IOException {
        final Message reply = replyTo(exchange(queryFrame(SWITCH_MAC_0, POD_MAC_A, POD_A, query("web.default.svc.cluster.local.", Type.AAAA))));
        assertEquals(Rcode.NOERROR, reply.getRcode());
        assertEquals(List.of(), answers(reply));
        assertEquals(Type.SOA, reply.getSection(Section.AUTHORITY).getFirst().getType());
    }

    @Test
    void searchPathProbesAreNxdomainAtOnceAndNeverPunted() throws IOException {
        for (String probe : List.of("www.example.com.default.svc.cluster.local.", "www.example.com.svc.cluster.local.",
                "www.example.com.cluster.local.")) {
            final Message reply = replyTo(exchange(queryFrame(SWITCH_MAC_0, POD_MAC_A, POD_A, query(probe, Type.A))));
            assertEquals(Rcode.NXDOMAIN, reply.getRcode(), probe);
            assertTrue(reply.getHeader().getFlag(Flags.AA), probe);
            assertEquals(Type.SOA, reply.getSection(Section.AUTHORITY).getFirst().getType(), probe);
        }
        assertEquals(0, punts.puntedFrames());
        assertEquals(3, dns.answeredQueries());
    }

    @Test
    void namesOutsideTheClusterArePuntedWithTheirIngressPortAndTheFrameFreed() {
        final byte[] frame = queryFrame(SWITCH_MAC_1, POD_MAC_B, POD_B, query("www.example.com.", Type.A));
        final int poolBefore = harness.framesInPool();
        harness.add(1, frame);
        assertEquals(0, harness.run(parse, dns));
        assertEquals(poolBefore, harness.framesInPool(), "the frame went back to the pool at once");
        assertNull(harness.transmitted(1));
        assertEquals(1, punts.puntedFrames());
        assertEquals(1, dns.puntedQueries());
        final List<byte[]> drained = new ArrayList<>();
        final int[] port = {-1};
        assertEquals(1, punts.drain((memory, offset, length, ingress) -> {
            drained.add(memory.asSlice(offset, length).toArray(ValueLayout.JAVA_BYTE));
            port[0] = ingress;
        }, 10));
        assertArrayEquals(frame, drained.getFirst(), "the query as it came, for the forwarder");
        assertEquals(1, port[0]);
        assertEquals(0, harness.totalDrops());
    }

    @Test
    void withoutAPuntQueueNamesOutsideTheClusterGoOnUntouched() {
        final DnsStage noForwarder = harness.stage(context -> new DnsStage(context, new DnsStageSettings(DNS_SERVICE_IP, DNS_PORT, zone, null)));
        final byte[] frame = queryFrame(SWITCH_MAC_0, POD_MAC_A, POD_A, query("www.example.com.", Type.A));
        harness.add(0, frame);
        assertEquals(1, harness.run(parse, noForwarder));
        assertArrayEquals(frame, harness.frame(0));
    }

    @Test
    void aFullPuntQueueDropsAndCounts() {
        try (PuntQueue tiny = new PuntQueue(32 * 1024)) {
            final DnsStage stage = harness.stage(context -> new DnsStage(context, new DnsStageSettings(DNS_SERVICE_IP, DNS_PORT, zone, tiny)));
            final byte[] frame = queryFrame(SWITCH_MAC_0, POD_MAC_A, POD_A, query("www.example.com.", Type.A));
            int offered = 0;
            while (tiny.droppedFrames() == 0 && offered < 10_000) {
                harness.add(0, frame);
                harness.run(parse, stage);
                offered++;
            }
            assertEquals(1, tiny.droppedFrames());
            assertEquals(offered - 1, tiny.puntedFrames());
            assertEquals(1, harness.drops(DropReason.PUNT_QUEUE_FULL));
            assertTrue(tiny.drain((memory, offset, length, port) -> { }, 100_000) > 100, "the queue held many queries");
        }
    }

    @Test
    void truncatesWhatDoesNotFitTheClientsUdpSize() throws IOException {
        final Message reply = replyTo(exchange(queryFrame(SWITCH_MAC_0, POD_MAC_A, POD_A, query("big.default.svc.cluster.local.", Type.A))));
        assertTrue(reply.getHeader().getFlag(Flags.TC), "50 A records do not fit in 512 bytes");
        assertEquals(List.of(), answers(reply));
        final Message small = replyTo(exchange(queryFrame(SWITCH_MAC_0, POD_MAC_A, POD_A, query("web.default.svc.cluster.local.", Type.A))));
        assertFalse(small.getHeader().getFlag(Flags.TC));
    }

    @Test
    void edns0SizeIsHonouredAndOptEchoed() throws IOException {
        final Message query = Message.newQuery(Record.newRecord(Name.fromString("big.default.svc.cluster.local."), Type.A, DClass.IN));
        query.getHeader().setID(0x1234);
        query.addRecord(new OPTRecord(4096, 0, 0), Section.ADDITIONAL);
        final Message reply = replyTo(exchange(queryFrame(SWITCH_MAC_0, POD_MAC_A, POD_A, query.toWire())));
        assertNotNull(reply.getOPT(), "OPT echoed");
        assertEquals(1232, reply.getOPT().getPayloadSize());
        assertFalse(reply.getHeader().getFlag(Flags.TC), "50 A records fit the client's EDNS0 size");
        assertEquals(50, answers(reply).size());
    }

    @Test
    void malformedQueriesAreDroppedOrGetFormerr() throws IOException {
        final byte[] response = query("web.default.svc.cluster.local.", Type.A);
        response[2] |= (byte) 0x80; // QR: a response sent to us
        harness.add(0, queryFrame(SWITCH_MAC_0, POD_MAC_A, POD_A, response));
        harness.add(0, queryFrame(SWITCH_MAC_0, POD_MAC_A, POD_A, new byte[5])); // shorter than a header
        final byte[] badUdpLength = queryFrame(SWITCH_MAC_0, POD_MAC_A, POD_A, query("web.default.svc.cluster.local.", Type.A));
        NetworkOrder.putU16(MemorySegment.ofArray(badUdpLength), 38, 2000);
        harness.add(0, badUdpLength);
        assertEquals(0, harness.run(parse, dns));
        assertEquals(3, harness.drops(DropReason.DNS_NOT_A_QUERY));
        assertNull(harness.transmitted(0));

        final byte[] twoQuestions = query("web.default.svc.cluster.local.", Type.A);
        twoQuestions[5] = 2;
        final byte[] reply = exchange(queryFrame(SWITCH_MAC_0, POD_MAC_A, POD_A, twoQuestions));
        final MemorySegment dnsHeader = MemorySegment.ofArray(reply).asSlice(UdpReplyFrame.PAYLOAD_OFFSET);
        assertEquals(12, dnsHeader.byteSize(), "FORMERR is a bare header");
        assertEquals(Rcode.FORMERR, NetworkOrder.u16(dnsHeader, 2) & 0xF);
        replyTo(reply);
    }

    @Test
    void trafficNotForTheDnsServiceIsLeftAlone() {
        final byte[] message = query("web.default.svc.cluster.local.", Type.A);
        final List<byte[]> frames = List.of(
                TestFrames.udpFrame(SWITCH_MAC_0, POD_MAC_A, POD_A, DNS_SERVICE_IP, 64, POD_PORT, 5353, message),
                TestFrames.udpFrame(SWITCH_MAC_0, POD_MAC_A, POD_A, POD_B, 64, POD_PORT, 53, message),
                TestFrames.ipv4Frame(SWITCH_MAC_0, POD_MAC_A, POD_A, DNS_SERVICE_IP, 64, TestFrames.PROTO_TCP,
                        TestFrames.tcp(POD_A, DNS_SERVICE_IP, POD_PORT, 53, 1, 0, 0x02, 65535, new byte[0])),
                TestFrames.arpRequestFrame(POD_MAC_A, POD_A, GATEWAY),
                TestFrames.icmpEchoFrame(SWITCH_MAC_0, POD_MAC_A, POD_A, DNS_SERVICE_IP, 64, 8, 1));
        for (byte[] frame : frames) {
            harness.add(0, frame);
        }
        assertEquals(frames.size(), harness.run(parse, dns));
        for (int i = 0; i < frames.size(); i++) {
            assertArrayEquals(frames.get(i), harness.frame(i), "frame " + i + " untouched");
        }
        assertEquals(0, dns.answeredQueries() + dns.puntedQueries());
        assertEquals(0, harness.totalDrops());
    }

    @Test
    void beforeTheFirstZoneQueriesPassUntouched() {
        zone.publish(null);
        final byte[] frame = queryFrame(SWITCH_MAC_0, POD_MAC_A, POD_A, query("web.default.svc.cluster.local.", Type.A));
        harness.add(0, frame);
        assertEquals(1, harness.run(parse, dns));
        assertArrayEquals(frame, harness.frame(0));
    }

    @Test
    void aNewZoneGenerationIsUsedFromTheNextBatch() throws IOException {
        assertEquals(Rcode.NXDOMAIN, replyTo(exchange(queryFrame(SWITCH_MAC_0, POD_MAC_A, POD_A, query("new.default.svc.cluster.local.", Type.A)))).getRcode());
        final io.isthmus.dns.zone.ZoneBuilder builder = new io.isthmus.dns.zone.ZoneBuilder(new io.isthmus.dns.zone.ZoneSettings("cluster.local", 30, 2));
        builder.addService(io.isthmus.dns.zone.ServiceRecord.clusterIp("default", "new", List.of(java.net.InetAddress.ofLiteral("10.96.7.7")), List.of()));
        zone.publish(builder.build());
        assertEquals(List.of("A 10.96.7.7"), answers(replyTo(exchange(queryFrame(SWITCH_MAC_0, POD_MAC_A, POD_A, query("new.default.svc.cluster.local.", Type.A))))));
    }
}
