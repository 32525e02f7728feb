package io.isthmus.slowpath.dns;

import io.isthmus.dns.zone.ZoneSettings;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The specification's cases against a running {@link DnsServer} (in process, 127.0.0.1, an
 * ephemeral port) serving the manifest directory {@code src/test/resources/dns/cluster}, asked by
 * dnsjava (an independent codec) over UDP and over TCP.
 */
class DnsConformanceTest {
    static final Path CLUSTER = Path.of("src/test/resources/dns/cluster");
    private static DnsServer server;

    @BeforeAll
    static void start() throws Exception {
        final KubernetesZone.Result result = ZoneFromManifests.load(CLUSTER, new ZoneSettings("cluster.local", 30, 42));
        assertEquals(java.util.List.of(), result.problems(), "the fixture is clean");
        server = DnsServer.start(result.zone(), new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                new DnsServer.Options(1, 2_000, 16, 1232));
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    static InetSocketAddress address() {
        return server.address();
    }

    static Message query(String name, int type, boolean tcp, int ednsPayload) throws Exception {
        final SimpleResolver resolver = new SimpleResolver(server.address());
        resolver.setTCP(tcp);
        resolver.setTimeout(Duration.ofSeconds(3));
        resolver.setIgnoreTruncation(true);
        if (ednsPayload > 0) {
            resolver.setEDNS(0, ednsPayload, 0, java.util.List.of());
        } else {
            resolver.setEDNS(-1);
        }
        final Message query = Message.newQuery(Record.newRecord(Name.fromString(name), type, DClass.IN));
        query.getHeader().unsetFlag(Flags.RD);
        return resolver.send(query);
    }

    static Set<String> rdata(Message response, int section) {
        return response.getSection(section).stream()
                .filter(r -> r.getType() != Type.OPT)
                .map(r -> r.getName().toString().toLowerCase() + " " + Type.string(r.getType()) + " " + r.rdataToString())
                .collect(Collectors.toSet());
    }

    /** name, type, rcode, the answer section (owner type rdata). */
    static Stream<Arguments> specificationCases() {
        return Stream.of(
                // 2.2 schema version
                Arguments.of("dns-version.cluster.local.", Type.TXT, Rcode.NOERROR, Set.of("dns-version.cluster.local. TXT \"1.1.0\"")),
                // 2.3.1 A/AAAA of a ClusterIP Service, dual-stack
                Arguments.of("kubernetes.default.svc.cluster.local.", Type.A, Rcode.NOERROR, Set.of("kubernetes.default.svc.cluster.local. A 10.96.0.1")),
                Arguments.of("kube-dns.kube-system.svc.cluster.local.", Type.A, Rcode.NOERROR, Set.of("kube-dns.kube-system.svc.cluster.local. A 10.96.0.10")),
                Arguments.of("kube-dns.kube-system.svc.cluster.local.", Type.AAAA, Rcode.NOERROR, Set.of("kube-dns.kube-system.svc.cluster.local. AAAA fd00:10:96:0:0:0:0:a")),
                Arguments.of("kubernetes.default.svc.cluster.local.", Type.AAAA, Rcode.NOERROR, Set.of()),
                // 2.3.2 SRV for named ports only
                Arguments.of("_https._tcp.kubernetes.default.svc.cluster.local.", Type.SRV, Rcode.NOERROR,
                        Set.of("_https._tcp.kubernetes.default.svc.cluster.local. SRV 0 100 443 kubernetes.default.svc.cluster.local.")),
                Arguments.of("_dns._udp.kube-dns.kube-system.svc.cluster.local.", Type.SRV, Rcode.NOERROR,
                        Set.of("_dns._udp.kube-dns.kube-system.svc.cluster.local. SRV 0 100 53 kube-dns.kube-system.svc.cluster.local.")),
                Arguments.of("_dns._tcp.kube-dns.kube-system.svc.cluster.local.", Type.SRV, Rcode.NXDOMAIN, Set.of()),
                // 2.3.3 PTR, IPv4 and IPv6
                Arguments.of("1.0.96.10.in-addr.arpa.", Type.PTR, Rcode.NOERROR, Set.of("1.0.96.10.in-addr.arpa. PTR kubernetes.default.svc.cluster.local.")),
                Arguments.of("a.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.6.9.0.0.0.1.0.0.0.0.d.f.ip6.arpa.", Type.PTR, Rcode.NOERROR,
                        Set.of("a.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.6.9.0.0.0.1.0.0.0.0.d.f.ip6.arpa. PTR kube-dns.kube-system.svc.cluster.local.")),
                // 2.4.1 headless: ready endpoints only, hostname records (given and system-assigned)
                Arguments.of("db.default.svc.cluster.local.", Type.A, Rcode.NOERROR,
                        Set.of("db.default.svc.cluster.local. A 10.244.1.10", "db.default.svc.cluster.local. A 10.244.1.11")),
                Arguments.of("db-0.db.default.svc.cluster.local.", Type.A, Rcode.NOERROR, Set.of("db-0.db.default.svc.cluster.local. A 10.244.1.10")),
                Arguments.of("10-244-1-11.db.default.svc.cluster.local.", Type.A, Rcode.NOERROR, Set.of("10-244-1-11.db.default.svc.cluster.local. A 10.244.1.11")),
                Arguments.of("db-2.db.default.svc.cluster.local.", Type.A, Rcode.NXDOMAIN, Set.of()),
                // 2.4.1 headless without ready endpoints: NXDOMAIN; publishNotReadyAddresses publishes them
                Arguments.of("nobody.default.svc.cluster.local.", Type.A, Rcode.NXDOMAIN, Set.of()),
                Arguments.of("unready.default.svc.cluster.local.", Type.A, Rcode.NOERROR, Set.of("unready.default.svc.cluster.local. A 10.244.3.10")),
                // 2.4.2 SRV, one per endpoint (derived from Pods: targetPort resolved by name)
                Arguments.of("_pg._tcp.db.default.svc.cluster.local.", Type.SRV, Rcode.NOERROR, Set.of(
                        "_pg._tcp.db.default.svc.cluster.local. SRV 0 100 5432 db-0.db.default.svc.cluster.local.",
                        "_pg._tcp.db.default.svc.cluster.local. SRV 0 100 5432 10-244-1-11.db.default.svc.cluster.local.")),
                Arguments.of("_http._tcp.web.default.svc.cluster.local.", Type.SRV, Rcode.NOERROR,
                        Set.of("_http._tcp.web.default.svc.cluster.local. SRV 0 100 8080 web-0.web.default.svc.cluster.local.")),
                // pod hostname + subdomain (derived slice carries the hostname); a not-ready pod is absent
                Arguments.of("web-0.web.default.svc.cluster.local.", Type.A, Rcode.NOERROR, Set.of("web-0.web.default.svc.cluster.local. A 10.244.2.10")),
                Arguments.of("web-1.web.default.svc.cluster.local.", Type.A, Rcode.NXDOMAIN, Set.of()),
                // 2.4.3 PTR of a headless endpoint
                Arguments.of("10.1.244.10.in-addr.arpa.", Type.PTR, Rcode.NOERROR, Set.of("10.1.244.10.in-addr.arpa. PTR db-0.db.default.svc.cluster.local.")),
                // 2.5 ExternalName
                Arguments.of("search.default.svc.cluster.local.", Type.A, Rcode.NOERROR, Set.of("search.default.svc.cluster.local. CNAME www.example.com.")),
                // 2.6 deprecated pod records, synthesized from the name
                Arguments.of("10-244-9-9.default.pod.cluster.local.", Type.A, Rcode.NOERROR, Set.of("10-244-9-9.default.pod.cluster.local. A 10.244.9.9")),
                Arguments.of("10-244-9-300.default.pod.cluster.local.", Type.A, Rcode.NXDOMAIN, Set.of()),
                // negative answers and names outside the zone
                Arguments.of("missing.default.svc.cluster.local.", Type.A, Rcode.NXDOMAIN, Set.of()),
                Arguments.of("default.svc.cluster.local.", Type.A, Rcode.NOERROR, Set.of()),
                Arguments.of("www.example.com.", Type.A, Rcode.REFUSED, Set.of()),
                // case-insensitive
                Arguments.of("KUBERNETES.Default.SVC.cluster.LOCAL.", Type.A, Rcode.NOERROR, Set.of("kubernetes.default.svc.cluster.local. A 10.96.0.1")));
    }

    @ParameterizedTest(name = "udp {0} {1}")
    @MethodSource("specificationCases")
    void overUdp(String name, int type, int rcode, Set<String> answers) throws Exception {
        check(query(name, type, false, 0), rcode, answers);
    }

    @ParameterizedTest(name = "tcp {0} {1}")
    @MethodSource("specificationCases")
    void overTcp(String name, int type, int rcode, Set<String> answers) throws Exception {
        check(query(name, type, true, 0), rcode, answers);
    }

    private static void check(Message response, int rcode, Set<String> answers) {
        assertEquals(Rcode.string(rcode), Rcode.string(response.getRcode()));
        assertEquals(answers, rdata(response, Section.ANSWER));
        if (rcode == Rcode.NXDOMAIN || (rcode == Rcode.NOERROR && answers.isEmpty())) {
            assertEquals(Set.of("cluster.local. SOA ns.dns.cluster.local. hostmaster.cluster.local. 42 7200 1800 86400 30"),
                    rdata(response, Section.AUTHORITY));
        }
        assertEquals(rcode != Rcode.REFUSED, response.getHeader().getFlag(Flags.AA));
    }

    @Test
    void srvCarriesTheTargetAddressesInAdditional() throws Exception {
        assertEquals(Set.of("db-0.db.default.svc.cluster.local. A 10.244.1.10", "10-244-1-11.db.default.svc.cluster.local. A 10.244.1.11"),
                rdata(query("_pg._tcp.db.default.svc.cluster.local.", Type.SRV, false, 0), Section.ADDITIONAL));
    }

    @Test
    void largeAnswerIsTruncatedOverUdpAndWholeOverTcp() throws Exception {
        final Message udp = query("big.default.svc.cluster.local.", Type.A, false, 0);
        assertTrue(udp.getHeader().getFlag(Flags.TC));
        assertEquals(0, udp.getSection(Section.ANSWER).size());
        final Message tcp = query("big.default.svc.cluster.local.", Type.A, true, 0);
        assertFalse(tcp.getHeader().getFlag(Flags.TC));
        assertEquals(100, tcp.getSection(Section.ANSWER).size());
    }

    @Test
    void edns0PayloadSizeIsHonoured() throws Exception {
        // 40 A records, about 700 bytes: truncated in 512 bytes or an EDNS0 size of 600, whole in 1232.
        final String medium = "medium.default.svc.cluster.local.";
        assertTrue(query(medium, Type.A, false, 0).getHeader().getFlag(Flags.TC));
        assertTrue(query(medium, Type.A, false, 600).getHeader().getFlag(Flags.TC));
        final Message fits = query(medium, Type.A, false, 1232);
        assertFalse(fits.getHeader().getFlag(Flags.TC));
        assertEquals(40, fits.getSection(Section.ANSWER).size());
        assertEquals(1232, fits.getOPT().getPayloadSize());
        // a client asking for more than our 1232 still gets at most 1232: 100 A records truncate
        assertTrue(query("big.default.svc.cluster.local.", Type.A, false, 4096).getHeader().getFlag(Flags.TC));
    }
}
