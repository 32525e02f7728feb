package io.isthmus.lb.compile;

import static io.isthmus.lb.compile.Fixtures.NODE_A;
import static io.isthmus.lb.compile.Fixtures.key;
import static io.isthmus.lb.compile.Fixtures.ready;
import static io.isthmus.lb.compile.Fixtures.slice;
import static io.isthmus.lb.compile.Fixtures.tcp;
import static io.isthmus.lb.compile.Fixtures.udp;
import static io.isthmus.lb.model.Protocol.TCP;
import static io.isthmus.lb.model.Protocol.UDP;
import static io.isthmus.lb.table.TrafficSource.CLUSTER_POD;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.isthmus.lb.affinity.AffinityTable;
import io.isthmus.lb.ip.IpAddress;
import io.isthmus.lb.model.Endpoint;
import io.isthmus.lb.model.EndpointConditions;
import io.isthmus.lb.model.Service;
import io.isthmus.lb.model.SessionAffinity;
import io.isthmus.lb.table.ServiceTable;
import io.isthmus.lb.table.ServiceVerdict;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Session affinity (Service docs: sessionAffinity ClientIP, default timeout 10800 s) and the compiler's diff. */
class AffinityAndDiffTest {

    private static final long SECOND_NS = 1_000_000_000L;

    private static Service sticky(int timeoutSeconds) {
        return Service.builder("default", "web").clusterIPs("10.96.0.10").port("http", TCP, 80).sessionAffinityClientIP(timeoutSeconds).build();
    }

    private static List<Endpoint> five() {
        return List.of(ready("10.244.1.1"), ready("10.244.1.2"), ready("10.244.1.3"), ready("10.244.1.4"), ready("10.244.1.5"));
    }

    @Test
    void clientIpAffinitySendsEveryNewFlowOfAClientToTheSameBackend() {
        ServiceTable t = new ServiceCompiler(NODE_A).compile(List.of(sticky(0)), List.of(slice("web", "s", five(), tcp("http", 8080)))).table();
        try (AffinityTable affinity = new AffinityTable(1024)) {
            FlowProbe probe = new FlowProbe(t, affinity);
            assertEquals(ServiceVerdict.FORWARD, probe.send("10.96.0.10", 80, TCP, "10.244.9.9", 1, CLUSTER_POD, 0));
            String first = probe.backend();
            assertFalse(probe.decision.affinityHit());
            for (int flow = 2; flow < 200; flow++) {
                probe.send("10.96.0.10", 80, TCP, "10.244.9.9", flow * 7919, CLUSTER_POD, flow * SECOND_NS);
                assertEquals(first, probe.backend(), "flow " + flow);
                assertTrue(probe.decision.affinityHit());
            }
            Set<String> others = new HashSet<>();
            for (int client = 1; client < 60; client++) {
                probe.send("10.96.0.10", 80, TCP, "10.244.8." + client, client * 104729, CLUSTER_POD, 0);
                others.add(probe.backend());
            }
            assertTrue(others.size() > 1, "different clients still spread: " + others);
        }
    }

    @Test
    void affinityTimeoutDefaultsTo10800SecondsAndExpires() {
        ServiceTable t = new ServiceCompiler(NODE_A).compile(List.of(sticky(0)), List.of(slice("web", "s", five(), tcp("http", 8080)))).table();
        int f = t.findFrontend(key("10.96.0.10", 80, TCP));
        assertEquals(SessionAffinity.DEFAULT_CLIENT_IP_TIMEOUT_SECONDS, t.affinityTimeoutSeconds(f));

        ServiceTable short10 = new ServiceCompiler(NODE_A).compile(List.of(sticky(10)), List.of(slice("web", "s", five(), tcp("http", 8080)))).table();
        try (AffinityTable affinity = new AffinityTable(1024)) {
            FlowProbe probe = new FlowProbe(short10, affinity);
            // find a flow hash that Maglev sends elsewhere, to see whether affinity or Maglev decided
            probe.send("10.96.0.10", 80, TCP, "10.244.9.9", 1, CLUSTER_POD, 0);
            String pinned = probe.backend();
            int otherHash = 2;
            FlowProbe plain = new FlowProbe(short10);
            for (; ; otherHash++) { // bounded: with 5 backends one in a few hashes goes elsewhere
                assertTrue(otherHash < 10_000, "no flow hash went to another backend than " + pinned);
                plain.send("10.96.0.10", 80, TCP, "10.244.9.9", otherHash, CLUSTER_POD, 0);
                if (!plain.backend().equals(pinned)) {
                    break;
                }
            }
            probe.send("10.96.0.10", 80, TCP, "10.244.9.9", otherHash, CLUSTER_POD, 9 * SECOND_NS);
            assertEquals(pinned, probe.backend(), "within 10 s: still pinned (and refreshed to 19 s)");
            probe.send("10.96.0.10", 80, TCP, "10.244.9.9", otherHash, CLUSTER_POD, 20 * SECOND_NS);
            assertEquals(plain.backend(), probe.backend(), "after the timeout Maglev decides again");
            assertFalse(probe.decision.affinityHit());
        }
    }

    @Test
    void affinityToABackendThatWentAwayIsIgnored() {
        ServiceCompiler compiler = new ServiceCompiler(NODE_A);
        ServiceTable before = compiler.compile(List.of(sticky(0)), List.of(slice("web", "s", five(), tcp("http", 8080)))).table();
        try (AffinityTable affinity = new AffinityTable(1024)) {
            FlowProbe probe = new FlowProbe(before, affinity);
            probe.send("10.96.0.10", 80, TCP, "10.244.9.9", 1, CLUSTER_POD, 0);
            String gone = probe.backend();
            List<Endpoint> rest = five().stream().filter(e -> !gone.startsWith(e.addresses().getFirst() + ":")).toList();
            ServiceTable after = compiler.compile(List.of(sticky(0)), List.of(slice("web", "s", rest, tcp("http", 8080)))).table();
            assertEquals(before.servicePortId(before.findFrontend(key("10.96.0.10", 80, TCP))),
                    after.servicePortId(after.findFrontend(key("10.96.0.10", 80, TCP))), "service port ids are stable across generations");
            FlowProbe again = new FlowProbe(after, affinity);
            assertEquals(ServiceVerdict.FORWARD, again.send("10.96.0.10", 80, TCP, "10.244.9.9", 1, CLUSTER_POD, SECOND_NS));
            assertFalse(again.backend().equals(gone));
            assertFalse(again.decision.affinityHit());
        }
    }

    @Test
    void removedUdpEndpointsAreReportedForConntrackFlush_kubeProxyDeletesStaleUdpEntries() {
        Service dns = Service.builder("default", "dns").clusterIPs("10.96.0.53").port("dns", UDP, 53).port("dns-tcp", TCP, 53).build();
        ServiceCompiler compiler = new ServiceCompiler(NODE_A);
        Compilation first = compiler.compile(List.of(dns), List.of(slice("dns", "s",
                List.of(ready("10.244.1.1"), ready("10.244.1.2"), ready("10.244.1.3")), udp("dns", 53), tcp("dns-tcp", 53))));
        assertTrue(first.staleUdpBackends().isEmpty());
        assertEquals(List.of(key("10.96.0.53", 53, UDP)), first.udpFrontendsNowServed());

        Compilation second = compiler.compile(List.of(dns), List.of(slice("dns", "s",
                List.of(ready("10.244.1.1"), Endpoint.of("10.244.1.3", EndpointConditions.TERMINATING_NOT_SERVING, "node-b")),
                udp("dns", 53), tcp("dns-tcp", 53))));
        assertEquals(List.of(StaleUdpBackend.udp(IpAddress.parse("10.244.1.2"), 53), StaleUdpBackend.udp(IpAddress.parse("10.244.1.3"), 53)),
                second.staleUdpBackends(), "removed and no-longer-serving UDP backends; TCP ones are not listed");
        assertTrue(second.udpFrontendsNowServed().isEmpty());

        Compilation third = compiler.compile(List.of(), List.of());
        assertEquals(List.of(StaleUdpBackend.udp(IpAddress.parse("10.244.1.1"), 53)), third.staleUdpBackends(), "a deleted Service's backends too");
    }

    @Test
    void aUdpBackendStillServingAnotherServiceIsNotFlushed() {
        Service a = Service.builder("default", "a").clusterIPs("10.96.0.1").port("p", UDP, 5000).build();
        Service b = Service.builder("default", "b").clusterIPs("10.96.0.2").port("p", UDP, 5000).build();
        ServiceCompiler compiler = new ServiceCompiler(NODE_A);
        compiler.compile(List.of(a, b), List.of(slice("a", "sa", List.of(ready("10.244.1.1")), udp("p", 5000)),
                slice("b", "sb", List.of(ready("10.244.1.1")), udp("p", 5000))));
        Compilation onlyB = compiler.compile(List.of(a, b), List.of(slice("b", "sb", List.of(ready("10.244.1.1")), udp("p", 5000))));
        assertTrue(onlyB.staleUdpBackends().isEmpty(), onlyB.staleUdpBackends().toString());
    }

    @Test
    void generationsIncrease() {
        ServiceCompiler compiler = new ServiceCompiler(NODE_A);
        long g1 = compiler.compile(List.of(), List.of()).table().generation();
        long g2 = compiler.compile(List.of(), List.of()).table().generation();
        assertTrue(g2 > g1);
    }
}
