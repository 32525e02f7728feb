package io.isthmus.dns.answer;

import io.isthmus.dns.wire.DnsHeaderDescriptor;
import io.isthmus.dns.zone.Zone;
import io.isthmus.dns.zone.ZoneSettings;
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
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The answer engine against the specification's cases, the responses decoded by dnsjava (an independent codec). */
class AnswerEngineTest {
    private static final Zone ZONE = TestZones.standard();
    private final AnswerEngine engine = new AnswerEngine();

    static Message ask(AnswerEngine engine, Zone zone, Message query, Transport transport) throws IOException {
        final byte[] wire = query.toWire();
        final byte[] buffer = Arrays.copyOf(wire, 65535);
        final int length = engine.answer(zone, MemorySegment.ofArray(buffer), 0, wire.length, buffer.length, transport);
        assertTrue(length >= DnsHeaderDescriptor.LENGTH_BYTES, "a response is expected, got length " + length);
        return new Message(Arrays.copyOf(buffer, length));
    }

    private Message ask(String name, int type) throws IOException {
        return ask(engine, ZONE, Message.newQuery(Record.newRecord(Name.fromString(name), type, DClass.IN)), Transport.UDP);
    }

    private static Set<String> rdata(Message response, int section) {
        return response.getSection(section).stream().map(r -> Type.string(r.getType()) + " " + r.rdataToString()).collect(Collectors.toSet());
    }

    @Test
    void clusterIpServiceHasItsAddressAuthoritatively() throws IOException {
        final Message response = ask("kubernetes.default.svc.cluster.local.", Type.A);
        assertEquals(Rcode.NOERROR, response.getRcode());
        assertTrue(response.getHeader().getFlag(Flags.AA));
        assertTrue(response.getHeader().getFlag(Flags.QR));
        assertEquals(Set.of("A 10.96.0.1"), rdata(response, Section.ANSWER));
        assertEquals(30, response.getSection(Section.ANSWER).getFirst().getTTL());
    }

    @Test
    void dualStackServiceAnswersBothFamiliesAndNodataWhenAFamilyIsMissing() throws IOException {
        assertEquals(Set.of("A 10.96.0.10"), rdata(ask("dual.kube-system.svc.cluster.local.", Type.A), Section.ANSWER));
        assertEquals(Set.of("AAAA fd00:0:0:0:0:0:0:10"), rdata(ask("dual.kube-system.svc.cluster.local.", Type.AAAA), Section.ANSWER));
        final Message nodata = ask("kubernetes.default.svc.cluster.local.", Type.AAAA);
        assertEquals(Rcode.NOERROR, nodata.getRcode());
        assertEquals(0, nodata.getSection(Section.ANSWER).size());
        assertEquals(Type.SOA, nodata.getSection(Section.AUTHORITY).getFirst().getType());
        assertEquals(Name.fromString("cluster.local."), nodata.getSection(Section.AUTHORITY).getFirst().getName());
    }

    @Test
    void namesAreCaseInsensitiveAndTheAnswerEchoesTheQuestionCase() throws IOException {
        final Message response = ask("KuberNetes.DEFAULT.svc.Cluster.Local.", Type.A);
        assertEquals(Set.of("A 10.96.0.1"), rdata(response, Section.ANSWER));
        assertEquals("KuberNetes.DEFAULT.svc.Cluster.Local.", response.getSection(Section.ANSWER).getFirst().getName().toString());
        assertEquals("KuberNetes.DEFAULT.svc.Cluster.Local.", response.getQuestion().getName().toString());
    }

    @Test
    void srvForNamedPortsOnlyWithTheTargetAddressInAdditional() throws IOException {
        final Message response = ask("_https._tcp.kubernetes.default.svc.cluster.local.", Type.SRV);
        assertEquals(Set.of("SRV 0 100 443 kubernetes.default.svc.cluster.local."), rdata(response, Section.ANSWER));
        assertEquals(Set.of("A 10.96.0.1"), rdata(response, Section.ADDITIONAL));
        assertEquals(Set.of("SRV 0 100 53 dual.kube-system.svc.cluster.local."), rdata(ask("_dns._udp.dual.kube-system.svc.cluster.local.", Type.SRV), Section.ANSWER));
        assertEquals(Set.of("A 10.96.0.10", "AAAA fd00:0:0:0:0:0:0:10"), rdata(ask("_dns._udp.dual.kube-system.svc.cluster.local.", Type.SRV), Section.ADDITIONAL));
        assertEquals(Rcode.NXDOMAIN, ask("_dns._tcp.dual.kube-system.svc.cluster.local.", Type.SRV).getRcode());
    }

    @Test
    void ptrForClusterIpsOfBothFamilies() throws IOException {
        assertEquals(Set.of("PTR kubernetes.default.svc.cluster.local."), rdata(ask("1.0.96.10.in-addr.arpa.", Type.PTR), Section.ANSWER));
        final String v6 = "0.1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.d.f.ip6.arpa.";
        assertEquals(Set.of("PTR dual.kube-system.svc.cluster.local."), rdata(ask(v6, Type.PTR), Section.ANSWER));
    }

    @Test
    void headlessServiceHasOneRecordPerReadyEndpointAndHostnameRecords() throws IOException {
        assertEquals(Set.of("A 10.1.0.1", "A 10.1.0.2"), rdata(ask("headless.default.svc.cluster.local.", Type.A), Section.ANSWER));
        assertEquals(Set.of("A 10.1.0.1"), rdata(ask("my-pet.headless.default.svc.cluster.local.", Type.A), Section.ANSWER));
        assertEquals(Set.of("A 10.1.0.2"), rdata(ask("10-1-0-2.headless.default.svc.cluster.local.", Type.A), Section.ANSWER));
        assertEquals(Rcode.NXDOMAIN, ask("sleepy.headless.default.svc.cluster.local.", Type.A).getRcode());
        final Message srv = ask("_http._tcp.headless.default.svc.cluster.local.", Type.SRV);
        assertEquals(Set.of("SRV 0 100 8080 my-pet.headless.default.svc.cluster.local.", "SRV 0 100 8080 10-1-0-2.headless.default.svc.cluster.local."),
                rdata(srv, Section.ANSWER));
        assertEquals(Set.of("A 10.1.0.1", "A 10.1.0.2"), rdata(srv, Section.ADDITIONAL));
        assertEquals(Set.of("PTR my-pet.headless.default.svc.cluster.local."), rdata(ask("1.0.1.10.in-addr.arpa.", Type.PTR), Section.ANSWER));
    }

    @Test
    void publishNotReadyAddressesAndHeadlessWithoutReadyEndpoints() throws IOException {
        assertEquals(Set.of("A 10.1.1.1"), rdata(ask("unready.default.svc.cluster.local.", Type.A), Section.ANSWER));
        assertEquals(Rcode.NXDOMAIN, ask("empty.default.svc.cluster.local.", Type.A).getRcode());
    }

    @Test
    void podHostnameAndSubdomainRecords() throws IOException {
        assertEquals(Set.of("A 10.1.0.9"), rdata(ask("web-0.headless.default.svc.cluster.local.", Type.A), Section.ANSWER));
        assertEquals(Rcode.NXDOMAIN, ask("web-1.headless.default.svc.cluster.local.", Type.A).getRcode(), "a not-ready pod is not published");
    }

    @Test
    void externalNameIsACnameForEveryType() throws IOException {
        for (int type : new int[] {Type.A, Type.AAAA, Type.CNAME, Type.SRV}) {
            final Message response = ask("ext.default.svc.cluster.local.", type);
            assertEquals(Set.of("CNAME www.example.com."), rdata(response, Section.ANSWER), Type.string(type));
        }
    }

    @Test
    void deprecatedPodRecordsAreSynthesizedFromTheName() throws IOException {
        assertEquals(Set.of("A 10.244.1.7"), rdata(ask("10-244-1-7.Default.POD.cluster.local.", Type.A), Section.ANSWER));
        assertEquals("10-244-1-7.Default.POD.cluster.local.", ask("10-244-1-7.Default.POD.cluster.local.", Type.A)
                .getSection(Section.ANSWER).getFirst().getName().toString());
        final Message nodata = ask("10-244-1-7.any-ns.pod.cluster.local.", Type.AAAA);
        assertEquals(Rcode.NOERROR, nodata.getRcode());
        assertEquals(0, nodata.getSection(Section.ANSWER).size());
        assertEquals(Type.SOA, nodata.getSection(Section.AUTHORITY).getFirst().getType());
        for (String bad : List.of("10-244-1-256.ns.pod.cluster.local.", "10-244-1.ns.pod.cluster.local.", "10-244-1-7-8.ns.pod.cluster.local.",
                "a-b-c-d.ns.pod.cluster.local.", "10-244-1-7.pod.cluster.local.", "10-244-1-7.ns.pods.cluster.local.", "x.10-244-1-7.ns.pod.cluster.local.",
                "10--244-1.ns.pod.cluster.local.", "-10-244-1-7.ns.pod.cluster.local.")) {
            assertEquals(Rcode.NXDOMAIN, ask(bad, Type.A).getRcode(), bad);
        }
        final Zone off = TestZones.standard(new ZoneSettings("cluster.local", 5, 1, false));
        assertEquals(Rcode.NXDOMAIN, ask(engine, off, Message.newQuery(Record.newRecord(Name.fromString("10-244-1-7.default.pod.cluster.local."),
                Type.A, DClass.IN)), Transport.UDP).getRcode());
    }

    @Test
    void schemaVersionTxt() throws IOException {
        assertEquals(Set.of("TXT \"1.1.0\""), rdata(ask("dns-version.cluster.local.", Type.TXT), Section.ANSWER));
    }

    @Test
    void nxdomainAndNodataCarryTheSoa() throws IOException {
        final Message nx = ask("nope.default.svc.cluster.local.", Type.A);
        assertEquals(Rcode.NXDOMAIN, nx.getRcode());
        assertTrue(nx.getHeader().getFlag(Flags.AA));
        final Record soa = nx.getSection(Section.AUTHORITY).getFirst();
        assertEquals(Type.SOA, soa.getType());
        assertEquals(Name.fromString("cluster.local."), soa.getName());
        assertEquals("ns.dns.cluster.local. hostmaster.cluster.local. 7 7200 1800 86400 30", soa.rdataToString());
        final Message ent = ask("default.svc.cluster.local.", Type.A);
        assertEquals(Rcode.NOERROR, ent.getRcode(), "an empty non-terminal exists");
        assertEquals(Type.SOA, ent.getSection(Section.AUTHORITY).getFirst().getType());
        assertEquals(Set.of("SOA ns.dns.cluster.local. hostmaster.cluster.local. 7 7200 1800 86400 30"), rdata(ask("cluster.local.", Type.SOA), Section.ANSWER));
    }

    @Test
    void namesOutsideTheZoneAndUnknownReverseNamesAreRefused() throws IOException {
        final Message outside = ask("www.example.com.", Type.A);
        assertEquals(Rcode.REFUSED, outside.getRcode());
        assertFalse(outside.getHeader().getFlag(Flags.AA));
        assertEquals(Rcode.REFUSED, ask("9.9.9.9.in-addr.arpa.", Type.PTR).getRcode());
        assertEquals(Rcode.REFUSED, ask("local.", Type.A).getRcode());
        assertEquals(Rcode.REFUSED, ask("xcluster.local.", Type.A).getRcode(), "suffix must match on a label boundary");
    }

    @Test
    void answerOrPuntLeavesNamesOutsideTheDomainUntouchedAndAnswersSearchPathProbes() throws IOException {
        for (String outside : List.of("www.example.com.", "9.9.9.9.in-addr.arpa.", "xcluster.local.", "local.")) {
            final byte[] wire = Message.newQuery(Record.newRecord(Name.fromString(outside), Type.A, DClass.IN)).toWire();
            final byte[] buffer = Arrays.copyOf(wire, 1500);
            assertEquals(AnswerEngine.OUTSIDE_ZONE,
                    engine.answerOrPunt(ZONE, MemorySegment.ofArray(buffer), 0, wire.length, buffer.length, Transport.UDP), outside);
            assertEquals(Arrays.toString(Arrays.copyOf(wire, 1500)), Arrays.toString(buffer), outside + ": the query is left as it came");
        }
        for (String probe : List.of("www.example.com.default.svc.cluster.local.", "www.example.com.svc.cluster.local.",
                "www.example.com.cluster.local.")) {
            final byte[] wire = Message.newQuery(Record.newRecord(Name.fromString(probe), Type.AAAA, DClass.IN)).toWire();
            final byte[] buffer = Arrays.copyOf(wire, 1500);
            final int length = engine.answerOrPunt(ZONE, MemorySegment.ofArray(buffer), 0, wire.length, buffer.length, Transport.UDP);
            final Message response = new Message(Arrays.copyOf(buffer, length));
            assertEquals(Rcode.NXDOMAIN, response.getRcode(), probe);
            assertTrue(response.getHeader().getFlag(Flags.AA), probe);
        }
        final byte[] known = Message.newQuery(Record.newRecord(Name.fromString("kubernetes.default.svc.cluster.local."), Type.A, DClass.IN)).toWire();
        final byte[] buffer = Arrays.copyOf(known, 1500);
        final int length = engine.answerOrPunt(ZONE, MemorySegment.ofArray(buffer), 0, known.length, buffer.length, Transport.UDP);
        assertEquals(Set.of("A 10.96.0.1"), rdata(new Message(Arrays.copyOf(buffer, length)), Section.ANSWER));
    }

    @Test
    void truncatesOverUdpAndAnswersInFullOverTcp() throws IOException {
        final Message query = Message.newQuery(Record.newRecord(Name.fromString("big.default.svc.cluster.local."), Type.A, DClass.IN));
        final Message udp = ask(engine, ZONE, query, Transport.UDP);
        assertTrue(udp.getHeader().getFlag(Flags.TC));
        assertEquals(0, udp.getSection(Section.ANSWER).size());
        final Message tcp = ask(engine, ZONE, query, Transport.TCP);
        assertFalse(tcp.getHeader().getFlag(Flags.TC));
        assertEquals(100, tcp.getSection(Section.ANSWER).size());
    }

    @Test
    void edns0PayloadSizeIsHonouredUpToOursAndOptEchoed() throws IOException {
        final AnswerEngine large = new AnswerEngine(4096);
        final Message query = Message.newQuery(Record.newRecord(Name.fromString("big.default.svc.cluster.local."), Type.A, DClass.IN));
        query.addRecord(new OPTRecord(4096, 0, 0), Section.ADDITIONAL);
        final Message fits = ask(large, ZONE, query, Transport.UDP);
        assertFalse(fits.getHeader().getFlag(Flags.TC), "100 A records (about 1.7 KB) fit in 4096 bytes");
        assertEquals(100, fits.getSection(Section.ANSWER).size());
        assertNotNull(fits.getOPT());
        assertEquals(4096, fits.getOPT().getPayloadSize());
        final Message capped = ask(engine, ZONE, query, Transport.UDP);
        assertTrue(capped.getHeader().getFlag(Flags.TC), "our own limit of 1232 bytes applies");
        assertEquals(AnswerEngine.DEFAULT_MAX_UDP_PAYLOAD_BYTES, capped.getOPT().getPayloadSize());
        final Message small = Message.newQuery(Record.newRecord(Name.fromString("big.default.svc.cluster.local."), Type.A, DClass.IN));
        small.addRecord(new OPTRecord(1400, 0, 0), Section.ADDITIONAL);
        assertTrue(ask(large, ZONE, small, Transport.UDP).getHeader().getFlag(Flags.TC), "the client's 1400 bytes apply");
    }

    @Test
    void srvLosesItsAdditionalSectionBeforeBeingTruncated() throws IOException {
        final Message query = Message.newQuery(Record.newRecord(Name.fromString("_http._tcp.big.default.svc.cluster.local."), Type.SRV, DClass.IN));
        query.addRecord(new OPTRecord(1232, 0, 0), Section.ADDITIONAL);
        final Message response = ask(engine, ZONE, query, Transport.UDP);
        assertTrue(response.getHeader().getFlag(Flags.TC), "100 SRV records do not fit in 1232 bytes");
        final Message tcp = ask(engine, ZONE, query, Transport.TCP);
        assertEquals(100, tcp.getSection(Section.ANSWER).size());
        assertEquals(100, tcp.getSection(Section.ADDITIONAL).size() - 1, "100 A records plus the OPT");
    }

    @Test
    void unsupportedEdnsVersionGetsBadvers() throws IOException {
        final Message query = Message.newQuery(Record.newRecord(Name.fromString("kubernetes.default.svc.cluster.local."), Type.A, DClass.IN));
        query.addRecord(new OPTRecord(1232, 0, 1), Section.ADDITIONAL);
        final Message response = ask(engine, ZONE, query, Transport.UDP);
        assertEquals(Rcode.BADVERS, response.getRcode());
    }

    @Test
    void ttlIsConfigurable() throws IOException {
        final Zone zone = TestZones.standard(new ZoneSettings("cluster.local", 123, 1));
        final Message response = ask(engine, zone, Message.newQuery(Record.newRecord(Name.fromString("kubernetes.default.svc.cluster.local."), Type.A, DClass.IN)), Transport.UDP);
        assertEquals(123, response.getSection(Section.ANSWER).getFirst().getTTL());
    }

    @Test
    void anotherClusterDomain() throws IOException {
        final Zone zone = TestZones.standard(new ZoneSettings("example.internal", 5, 1));
        final Message response = ask(engine, zone, Message.newQuery(Record.newRecord(Name.fromString("kubernetes.default.svc.example.internal."), Type.A, DClass.IN)), Transport.UDP);
        assertEquals(Set.of("A 10.96.0.1"), rdata(response, Section.ANSWER));
        assertEquals(Rcode.REFUSED, ask(engine, zone, Message.newQuery(Record.newRecord(Name.fromString("kubernetes.default.svc.cluster.local."), Type.A, DClass.IN)), Transport.UDP).getRcode());
    }

    @Test
    void malformedQueriesGetFormerrOrNotimpOrNothing() {
        final byte[] query = {0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 3, 'f', 'o', 'o', 0, 0, 1, 0, 1};
        assertEquals(List.of(0x8100 | org.xbill.DNS.Rcode.REFUSED, query.length), rcodeAndLength(query.clone()), "well formed, outside the zone");
        final byte[] twoQuestions = query.clone();
        twoQuestions[5] = 2;
        assertEquals(org.xbill.DNS.Rcode.FORMERR, rcodeAndLength(twoQuestions).get(0) & 0xF);
        final byte[] notify = query.clone();
        notify[2] = (byte) (4 << 3);
        assertEquals(org.xbill.DNS.Rcode.NOTIMP, rcodeAndLength(notify).get(0) & 0xF);
        final byte[] pointerInQuestion = query.clone();
        pointerInQuestion[12] = (byte) 0xC0;
        pointerInQuestion[13] = 12;
        assertEquals(org.xbill.DNS.Rcode.FORMERR, rcodeAndLength(pointerInQuestion).get(0) & 0xF);
        final byte[] cutShort = Arrays.copyOf(query, 18);
        assertEquals(org.xbill.DNS.Rcode.FORMERR, rcodeAndLength(cutShort).get(0) & 0xF);
        final byte[] response = query.clone();
        response[2] |= (byte) 0x80;
        assertEquals(AnswerEngine.NO_RESPONSE, engine.answer(ZONE, MemorySegment.ofArray(response), 0, response.length, response.length, Transport.UDP));
        assertEquals(AnswerEngine.NO_RESPONSE, engine.answer(ZONE, MemorySegment.ofArray(new byte[11]), 0, 11, 11, Transport.UDP));
    }

    private List<Integer> rcodeAndLength(byte[] query) {
        final byte[] buffer = Arrays.copyOf(query, 512);
        final int length = engine.answer(ZONE, MemorySegment.ofArray(buffer), 0, query.length, buffer.length, Transport.UDP);
        return List.of(((buffer[2] & 0xFF) << 8) | (buffer[3] & 0xFF), length);
    }

    @Test
    void answersInPlaceAtAnOffsetWithoutTouchingBytesOutside() throws IOException {
        final byte[] wire = Message.newQuery(Record.newRecord(Name.fromString("kubernetes.default.svc.cluster.local."), Type.A, DClass.IN)).toWire();
        final byte[] frame = new byte[200];
        Arrays.fill(frame, (byte) 0x5A);
        System.arraycopy(wire, 0, frame, 42, wire.length);
        final int capacity = 120;
        final int length = engine.answer(ZONE, MemorySegment.ofArray(frame), 42, wire.length, capacity, Transport.UDP);
        for (int i = 0; i < 42; i++) {
            assertEquals(0x5A, frame[i]);
        }
        for (int i = 42 + capacity; i < frame.length; i++) {
            assertEquals(0x5A, frame[i]);
        }
        final Message response = new Message(Arrays.copyOfRange(frame, 42, 42 + length));
        assertEquals(Set.of("A 10.96.0.1"), rdata(response, Section.ANSWER));
        assertNull(response.getOPT());
    }
}
