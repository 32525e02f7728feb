package io.isthmus.lb.compile;

import static io.isthmus.lb.compile.Fixtures.NODE_A;
import static io.isthmus.lb.compile.Fixtures.OTHER_NODE;
import static io.isthmus.lb.compile.Fixtures.THIS_NODE;
import static io.isthmus.lb.compile.Fixtures.ready;
import static io.isthmus.lb.compile.Fixtures.slice;
import static io.isthmus.lb.compile.Fixtures.tcp;
import static io.isthmus.lb.model.Protocol.TCP;
import static io.isthmus.lb.model.Protocol.UDP;
import static io.isthmus.lb.table.TrafficSource.CLUSTER_POD;
import static io.isthmus.lb.table.TrafficSource.EXTERNAL;
import static io.isthmus.lb.table.TrafficSource.NODE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.isthmus.lb.affinity.AffinityTable;
import io.isthmus.lb.model.Endpoint;
import io.isthmus.lb.model.Service;
import io.isthmus.lb.model.ServicePort;
import io.isthmus.lb.model.ServiceType;
import io.isthmus.lb.model.TargetPort;
import io.isthmus.lb.model.TrafficPolicy;
import io.isthmus.lb.table.ServiceTable;
import io.isthmus.lb.table.ServiceVerdict;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * kube-proxy behaviours the fast path's Service stage relies on that {@link KubeProxySemanticsTest}
 * does not pin down: what is not a Service, masquerading of the node's own traffic, the scope of
 * internalTrafficPolicy, and the scope of session affinity.
 */
class KubeProxyMoreSemanticsTest {

    private static ServiceTable table(Service service, List<Endpoint> endpoints, int targetPort) {
        return new ServiceCompiler(NODE_A).compile(List.of(service), List.of(slice("web", "s", endpoints, tcp("http", targetPort)))).table();
    }

    @Test
    void aClusterIpOnAnUndeclaredPortOrProtocolIsNoService_iptablesHasNoRuleForIt() {
        ServiceTable t = table(Service.builder("default", "web").clusterIPs("10.96.0.10").port("http", TCP, 80).build(),
                List.of(ready("10.244.1.2")), 8080);
        FlowProbe probe = new FlowProbe(t);
        assertEquals(ServiceVerdict.FORWARD, probe.send("10.96.0.10", 80, TCP, "10.244.9.9", CLUSTER_POD));
        assertEquals(ServiceVerdict.NOT_A_SERVICE, probe.send("10.96.0.10", 81, TCP, "10.244.9.9", CLUSTER_POD));
        assertEquals(ServiceVerdict.NOT_A_SERVICE, probe.send("10.96.0.10", 80, UDP, "10.244.9.9", CLUSTER_POD));
        assertEquals(ServiceVerdict.NOT_A_SERVICE, probe.send("10.96.0.11", 80, TCP, "10.244.9.9", CLUSTER_POD));
    }

    @Test
    void theServicePortMapsToTheTargetPortOfTheEndpoints() {
        ServiceTable t = table(Service.builder("default", "web").clusterIPs("10.96.0.10")
                .port(new ServicePort("http", TCP, 80, TargetPort.of(8080), 0)).build(), List.of(ready("10.244.1.2")), 8080);
        FlowProbe probe = new FlowProbe(t);
        assertEquals(ServiceVerdict.FORWARD, probe.send("10.96.0.10", 80, TCP, "10.244.9.9", CLUSTER_POD));
        assertEquals("10.244.1.2:8080", probe.backend());
    }

    @Test
    void theNodesOwnTrafficToAClusterIpIsMasqueraded_localSourcesAreOutsideTheClusterCidr() {
        ServiceTable t = table(Service.builder("default", "web").clusterIPs("10.96.0.10").port("http", TCP, 80).build(),
                List.of(ready("10.244.2.2")), 8080);
        FlowProbe probe = new FlowProbe(t);
        assertEquals(ServiceVerdict.FORWARD, probe.send("10.96.0.10", 80, TCP, "192.168.1.10", NODE));
        assertTrue(probe.decision.snat());
        assertFalse(probe.decision.hairpin());
    }

    @Test
    void internalTrafficPolicyLocalGovernsClusterIpTrafficOnly_nodePortFollowsExternalTrafficPolicy_KEP2086() {
        ServiceTable t = table(Service.builder("default", "web").type(ServiceType.NODE_PORT).clusterIPs("10.96.0.10")
                        .port("http", TCP, 80, 30080).internalTrafficPolicy(TrafficPolicy.LOCAL).build(),
                List.of(ready("10.244.1.2", THIS_NODE), ready("10.244.2.2", OTHER_NODE)), 8080);
        FlowProbe probe = new FlowProbe(t);
        assertEquals(Set.of("10.244.1.2:8080"), probe.spread("10.96.0.10", 80, TCP, "10.244.9.9", CLUSTER_POD, 100));
        assertEquals(Set.of("10.244.1.2:8080", "10.244.2.2:8080"), probe.spread("192.168.1.10", 30080, TCP, "203.0.113.7", EXTERNAL, 100));
    }

    @Test
    void sessionAffinityIsPerServicePort_aClientPinnedOnOnePortIsFreeOnAnother() {
        Service sticky = Service.builder("default", "web").clusterIPs("10.96.0.10").port("http", TCP, 80).port("https", TCP, 443)
                .sessionAffinityClientIP(0).build();
        List<Endpoint> five = List.of(ready("10.244.1.1"), ready("10.244.1.2"), ready("10.244.1.3"), ready("10.244.1.4"), ready("10.244.1.5"));
        ServiceTable t = new ServiceCompiler(NODE_A).compile(List.of(sticky),
                List.of(slice("web", "s", five, tcp("http", 8080), tcp("https", 8443)))).table();
        try (AffinityTable affinity = new AffinityTable(1024)) {
            FlowProbe probe = new FlowProbe(t, affinity);
            probe.send("10.96.0.10", 80, TCP, "10.244.9.9", 1, CLUSTER_POD, 0);
            String pinned = probe.backend();
            assertTrue(pinned.endsWith(":8080"), pinned);
            Set<String> https = new TreeSet<>();
            for (int flow = 0; flow < 5; flow++) {
                // first flow to 443 from the client: no affinity entry for that service port yet
                try (AffinityTable fresh = new AffinityTable(1024)) {
                    FlowProbe other = new FlowProbe(t, fresh);
                    other.send("10.96.0.10", 80, TCP, "10.244.9.9", 1, CLUSTER_POD, 0);
                    assertEquals(ServiceVerdict.FORWARD, other.send("10.96.0.10", 443, TCP, "10.244.9.9", flow * 0x9e3779b9, CLUSTER_POD, 0));
                    assertFalse(other.decision.affinityHit(), "port 80's affinity does not pin port 443");
                    https.add(other.backend());
                }
            }
            assertTrue(https.size() > 1, "443 is chosen by Maglev, not by port 80's entry: " + https);
            assertEquals(ServiceVerdict.FORWARD, probe.send("10.96.0.10", 80, TCP, "10.244.9.9", 777, CLUSTER_POD, 1));
            assertEquals(pinned, probe.backend());
            assertTrue(probe.decision.affinityHit());
        }
    }
}
