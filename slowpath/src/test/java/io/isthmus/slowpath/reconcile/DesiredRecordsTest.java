package io.isthmus.slowpath.reconcile;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.isthmus.fastpath.control.DesiredKind;
import io.isthmus.policy.model.PodInfo;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DesiredRecordsTest {
    private final DesiredRecords mapper = new DesiredRecords("node-a");

    private static <T extends HasMetadata> T parse(String yaml, Class<T> type) {
        return Serialization.unmarshal(yaml, type);
    }

    @Test
    void aServiceGivesItsLoadBalancerAndDnsRecords() {
        final DesiredRecords.Result result = mapper.of(parse("""
                apiVersion: v1
                kind: Service
                metadata: {name: web, namespace: shop}
                spec: {clusterIP: 10.96.0.20, ports: [{name: http, port: 80}]}
                """, Service.class));
        assertEquals(List.of(DesiredKind.LB_SERVICE, DesiredKind.DNS_SERVICE), result.records().stream().map(DesiredRecord::kind).toList());
        assertTrue(result.records().stream().allMatch(r -> r.key().equals("shop/web") && r.kind().payloadType().isInstance(r.payload())));
        assertEquals(DesiredRecords.kindsOf(Service.class), result.records().stream().map(DesiredRecord::kind).toList());
    }

    @Test
    void aPodIsLocalOnlyOnItsNode() {
        final String yaml = """
                apiVersion: v1
                kind: Pod
                metadata: {name: a, namespace: shop, labels: {app: a}}
                spec: {nodeName: %s, containers: [{name: c, image: x}]}
                status: {podIP: 10.244.1.2}
                """;
        final PodInfo here = (PodInfo) mapper.of(parse(yaml.formatted("node-a"), Pod.class)).records().getFirst().payload();
        final PodInfo there = (PodInfo) mapper.of(parse(yaml.formatted("node-b"), Pod.class)).records().getFirst().payload();
        assertTrue(here.local());
        assertFalse(there.local());
    }

    @Test
    void anInvalidObjectIsRefusedWhole() {
        final DesiredRecords.Result result = mapper.of(parse("""
                apiVersion: v1
                kind: Service
                metadata: {name: web, namespace: shop}
                spec: {clusterIP: 10.96.0.20, ports: [{name: http, port: 80, protocol: ICMP}]}
                """, Service.class));
        assertNull(result.records(), "no half of a Service");
        assertEquals(List.of("spec.ports[0].protocol: 'ICMP' is not TCP, UDP or SCTP"), result.problems());
    }
}
