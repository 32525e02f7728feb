package io.isthmus.dns.zone;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which names the builder publishes; the wire answers are tested through the engine. */
class ZoneBuilderTest {
    private static InetAddress ip(String literal) {
        return InetAddress.ofLiteral(literal);
    }

    @Test
    void publishesTheSpecificationNamesAndTheirEmptyNonTerminals() {
        final Zone zone = new ZoneBuilder(ZoneSettings.defaults())
                .addService(ServiceRecord.clusterIp("Default", "Web", List.of(ip("10.96.0.5")), List.of(new ServicePort("HTTP", "tcp", 80))))
                .build();
        assertEquals(List.of("5.0.96.10.in-addr.arpa", "_http._tcp.web.default.svc.cluster.local", "_tcp.web.default.svc.cluster.local",
                "cluster.local", "default.svc.cluster.local", "dns-version.cluster.local", "svc.cluster.local",
                "web.default.svc.cluster.local"), zone.names());
        assertTrue(zone.warnings().isEmpty(), zone.warnings().toString());
    }

    @Test
    void skipsWhatCannotBePublishedAndSaysWhy() {
        final Zone zone = new ZoneBuilder(ZoneSettings.defaults())
                .addService(ServiceRecord.externalName("default", "bad", "not a name"))
                .addService(ServiceRecord.clusterIp("default", "noip", List.of(), List.of()))
                .addService(ServiceRecord.headless("default", "h", List.of(), false))
                .addEndpointSlice(new EndpointSliceRecord("default", "h", List.of(), List.of(new EndpointRecord(List.of(ip("10.0.0.1")), "x".repeat(64), true))))
                .build();
        assertEquals(3, zone.warnings().size(), zone.warnings().toString());
        assertTrue(zone.warnings().get(0).contains("default/bad"), zone.warnings().toString());
        assertFalse(zone.names().contains("bad.default.svc.cluster.local"));
    }

    @Test
    void endpointsOfSeveralSlicesMergeAndDuplicatesCollapse() {
        final Zone zone = new ZoneBuilder(ZoneSettings.defaults())
                .addService(ServiceRecord.headless("ns", "db", List.of(), false))
                .addEndpointSlice(new EndpointSliceRecord("ns", "db", List.of(), List.of(new EndpointRecord(List.of(ip("10.0.0.1")), "a", true))))
                .addEndpointSlice(new EndpointSliceRecord("ns", "db", List.of(), List.of(new EndpointRecord(List.of(ip("fd00::1")), "b", true),
                        new EndpointRecord(List.of(ip("10.0.0.1")), "a", true))))
                .build();
        assertTrue(zone.names().contains("a.db.ns.svc.cluster.local"));
        assertTrue(zone.names().contains("b.db.ns.svc.cluster.local"));
        assertTrue(zone.names().contains("1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.d.f.ip6.arpa"));
    }

    @Test
    void endpointIdOfAnAddressIsAValidLabel() {
        assertEquals("10-1-2-3", ZoneBuilder.endpointId(ip("10.1.2.3")));
        assertEquals("fd00-0-0-0-0-0-0-1", ZoneBuilder.endpointId(ip("fd00::1")));
    }
}
