package io.isthmus.fastpath.control;

import io.isthmus.dns.zone.EndpointRecord;
import io.isthmus.dns.zone.EndpointSliceRecord;
import io.isthmus.dns.zone.PodRecord;
import io.isthmus.dns.zone.ServicePort;
import io.isthmus.dns.zone.ServiceRecord;
import io.isthmus.dns.zone.ZoneDump;
import io.isthmus.fastpath.control.compile.AppliedChanges;
import io.isthmus.fastpath.control.compile.NodeSettings;
import io.isthmus.fastpath.pipeline.RouteTable;
import io.isthmus.fastpath.pipeline.RouteTableRef;
import io.isthmus.lb.model.AddressType;
import io.isthmus.lb.model.Endpoint;
import io.isthmus.lb.model.EndpointConditions;
import io.isthmus.lb.model.EndpointPort;
import io.isthmus.lb.model.EndpointSlice;
import io.isthmus.lb.model.Protocol;
import io.isthmus.lb.model.Service;
import io.isthmus.lb.table.ServiceTableDump;
import io.isthmus.policy.model.IpAddress;
import io.isthmus.policy.model.LabelSelector;
import io.isthmus.policy.model.NamespaceInfo;
import io.isthmus.policy.model.PodInfo;
import io.isthmus.policy.model.Policy;
import io.isthmus.policy.model.Direction;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DesiredStateTablesTest {
    private final FastpathTables tables = FastpathTables.empty(new RouteTableRef(RouteTable.empty()));
    private final DesiredStateTables desired = new DesiredStateTables(tables, NodeSettings.of("node-a", "192.168.1.10"));

    private static Service web() {
        return Service.builder("shop", "web").clusterIPs("10.96.0.20").port("http", Protocol.TCP, 80).build();
    }

    private static EndpointSlice webSlice(String... addresses) {
        return EndpointSlice.of("shop", "web-abc", "web", AddressType.IPV4,
                java.util.Arrays.stream(addresses).map(a -> Endpoint.of(a, EndpointConditions.READY, "node-a")).toList(),
                List.of(EndpointPort.of("http", Protocol.TCP, 8080)));
    }

    @Test
    void firstApplyPublishesEveryTableAndNothingAfterThat() {
        final AppliedChanges first = desired.applyPending();
        assertTrue(first.policyGeneration() > 0, "empty policy snapshot published");
        assertTrue(first.zoneSerial() > 0, "empty zone published");
        assertTrue(tables.policies().current() != null && tables.dnsZone().current() != null);
        assertSame(AppliedChanges.NOTHING, desired.applyPending());
    }

    @Test
    void servicesCompileIntoThePublishedTable() {
        desired.applyPending();
        desired.upsert(DesiredKind.LB_SERVICE, "shop/web", web());
        desired.upsert(DesiredKind.LB_ENDPOINT_SLICE, "shop/web-abc", webSlice("10.244.1.2", "10.244.1.3"));
        final AppliedChanges changes = desired.applyPending();
        assertTrue(changes.serviceGeneration() > 0);
        assertEquals(0, changes.policyGeneration(), "policies did not change");
        final String dump = ServiceTableDump.dump(tables.services().current());
        assertTrue(dump.startsWith("10.96.0.20:80/TCP cluster-ip cluster=2"), dump);
        assertTrue(dump.contains("10.244.1.3:8080"), dump);

        desired.upsert(DesiredKind.LB_ENDPOINT_SLICE, "shop/web-abc", webSlice("10.244.1.2", "10.244.1.3"));
        assertFalse(desired.hasPending(), "an equal record changes nothing");

        desired.delete(DesiredKind.LB_ENDPOINT_SLICE, "shop/web-abc");
        desired.applyPending();
        assertTrue(ServiceTableDump.dump(tables.services().current()).contains("no-endpoints=REJECT"));
    }

    @Test
    void endSyncRemovesWhatWasNotAnnounced() {
        desired.upsert(DesiredKind.LB_SERVICE, "shop/web", web());
        desired.upsert(DesiredKind.DNS_SERVICE, "shop/web", ServiceRecord.clusterIp("shop", "web",
                List.of(InetAddress.ofLiteral("10.96.0.20")), List.of(new ServicePort("http", "TCP", 80))));
        desired.applyPending();
        assertTrue(String.join("\n", ZoneDump.lines(tables.dnsZone().current())).contains("web.shop.svc.cluster.local A"));

        desired.beginSync(7);
        desired.upsert(DesiredKind.LB_SERVICE, "shop/web", web());
        desired.endSync(6); // another epoch: ignored
        assertEquals(1, desired.recordCount(DesiredKind.DNS_SERVICE));
        desired.endSync(7);
        assertEquals(1, desired.recordCount(DesiredKind.LB_SERVICE));
        assertEquals(0, desired.recordCount(DesiredKind.DNS_SERVICE));
        final AppliedChanges changes = desired.applyPending();
        assertEquals(0, changes.serviceGeneration(), "the announced Service was unchanged");
        assertTrue(changes.zoneSerial() > 0);
        assertFalse(String.join("\n", ZoneDump.lines(tables.dnsZone().current())).contains("web.shop.svc.cluster.local A"));
    }

    @Test
    void policyChangesAreIncremental() {
        desired.upsert(DesiredKind.POLICY_NAMESPACE, "shop", NamespaceInfo.of("shop", Map.of()));
        desired.upsert(DesiredKind.POLICY_POD, "shop/a", new PodInfo("shop", "a", Map.of("app", "a"), List.of(IpAddress.parse("10.244.1.2")), List.of(), true));
        desired.upsert(DesiredKind.POLICY_POD, "shop/b", new PodInfo("shop", "b", Map.of("app", "b"), List.of(IpAddress.parse("10.244.1.3")), List.of(), true));
        desired.applyPending();
        final long before = tables.policies().current().generation();
        desired.upsert(DesiredKind.POLICY, "shop/deny-a", new Policy("shop", "deny-a", new LabelSelector(Map.of("app", "a"), List.of()),
                Set.of(Direction.INGRESS), List.of(), List.of()));
        final AppliedChanges changes = desired.applyPending();
        assertNotEquals(before, changes.policyGeneration());
        assertEquals(1, desired.policyCompiler().tablesCompiledLastSnapshot(), "only the selected pod's table is recompiled");
        assertTrue(desired.policyCompiler().dump(tables.policies().current()).contains("ingress"), "a verdict table exists");
    }

    @Test
    void theZoneIsRebuiltOnlyForChangesThatAlterNames() {
        desired.upsert(DesiredKind.DNS_SERVICE, "shop/web", ServiceRecord.clusterIp("shop", "web",
                List.of(InetAddress.ofLiteral("10.96.0.20")), List.of(new ServicePort("http", "TCP", 80))));
        desired.upsert(DesiredKind.DNS_SERVICE, "shop/peers", ServiceRecord.headless("shop", "peers", List.of(), false));
        desired.applyPending();
        desired.upsert(DesiredKind.DNS_ENDPOINT_SLICE, "shop/web-1", new EndpointSliceRecord("shop", "web", List.of(),
                List.of(new EndpointRecord(List.of(InetAddress.ofLiteral("10.244.1.2")), "", true))));
        assertFalse(desired.hasPending(), "a ClusterIP Service's endpoints are not in the zone");
        desired.upsert(DesiredKind.DNS_ENDPOINT_SLICE, "shop/peers-1", new EndpointSliceRecord("shop", "peers", List.of(),
                List.of(new EndpointRecord(List.of(InetAddress.ofLiteral("10.244.1.3")), "", true))));
        assertTrue(desired.hasPending(), "a headless Service's endpoints are");
        desired.applyPending();
        assertTrue(String.join("\n", ZoneDump.lines(tables.dnsZone().current())).contains("peers.shop.svc.cluster.local A: answer peers.shop.svc.cluster.local 5 A 10.244.1.3"));
        desired.upsert(DesiredKind.DNS_POD, "shop/a", new PodRecord("shop", "a", List.of(InetAddress.ofLiteral("10.244.1.9")), "", "", true));
        assertFalse(desired.hasPending(), "a Pod without hostname and subdomain names nothing");
    }

    @Test
    void aPayloadOfTheWrongTypeIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> desired.upsert(DesiredKind.LB_SERVICE, "shop/web", "not a service"));
        assertNull(desired.record(DesiredKind.LB_SERVICE, "shop/web"));
    }
}
