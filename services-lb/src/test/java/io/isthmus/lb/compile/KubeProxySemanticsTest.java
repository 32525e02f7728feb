package io.isthmus.lb.compile;

import static io.isthmus.lb.compile.Fixtures.NODE_A;
import static io.isthmus.lb.compile.Fixtures.OTHER_NODE;
import static io.isthmus.lb.compile.Fixtures.THIS_NODE;
import static io.isthmus.lb.compile.Fixtures.backends;
import static io.isthmus.lb.compile.Fixtures.clusterSet;
import static io.isthmus.lb.compile.Fixtures.key;
import static io.isthmus.lb.compile.Fixtures.localSet;
import static io.isthmus.lb.compile.Fixtures.ready;
import static io.isthmus.lb.compile.Fixtures.slice;
import static io.isthmus.lb.compile.Fixtures.slice6;
import static io.isthmus.lb.compile.Fixtures.tcp;
import static io.isthmus.lb.compile.Fixtures.udp;
import static io.isthmus.lb.compile.Fixtures.withConditions;
import static io.isthmus.lb.model.Protocol.TCP;
import static io.isthmus.lb.model.Protocol.UDP;
import static io.isthmus.lb.table.TrafficSource.CLUSTER_POD;
import static io.isthmus.lb.table.TrafficSource.EXTERNAL;
import static io.isthmus.lb.table.TrafficSource.NODE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.isthmus.lb.model.EndpointConditions;
import io.isthmus.lb.model.EndpointSlice;
import io.isthmus.lb.model.Protocol;
import io.isthmus.lb.model.ProxyLabels;
import io.isthmus.lb.model.Service;
import io.isthmus.lb.model.ServicePort;
import io.isthmus.lb.model.ServiceType;
import io.isthmus.lb.model.TargetPort;
import io.isthmus.lb.model.TrafficPolicy;
import io.isthmus.lb.table.ServiceTable;
import io.isthmus.lb.table.ServiceVerdict;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Kube-proxy's Service semantics, one rule per test. References: pkg/proxy/endpointslicecache.go
 * (slice merging), pkg/proxy/topology.go (CategorizeEndpoints), pkg/proxy/iptables/proxier.go
 * (REJECT/DROP, masquerade, hairpin, source ranges), and the Kubernetes "Virtual IPs and Service
 * Proxies" and "Service" documentation.
 */
class KubeProxySemanticsTest {

    private static Compilation compile(List<Service> services, List<EndpointSlice> slices) {
        return new ServiceCompiler(NODE_A).compile(services, slices);
    }

    private static ServiceTable table(Service service, EndpointSlice... slices) {
        return compile(List.of(service), List.of(slices)).table();
    }

    private static Service.Builder web() {
        return Service.builder("default", "web").clusterIPs("10.96.0.10").port("http", TCP, 80);
    }

    // ---- ports ----

    @Test
    void namedTargetPortResolvesPerEndpoint_sliceControllerWritesEachPodsNumber() {
        // targetPort "http" is 8080 on one pod and 9090 on another: the EndpointSlice controller puts
        // them in two slices with the same port name; kube-proxy takes the number from each slice.
        Service svc = Service.builder("default", "web").clusterIPs("10.96.0.10")
                .port(new ServicePort("http", TCP, 80, TargetPort.of("http"), 0)).build();
        ServiceTable t = table(svc,
                slice("web", "web-a", List.of(ready("10.244.1.2")), tcp("http", 8080)),
                slice("web", "web-b", List.of(ready("10.244.2.3")), tcp("http", 9090)));
        assertEquals(Set.of("10.244.1.2:8080", "10.244.2.3:9090"), backends(t, "10.96.0.10", 80, TCP));
        assertEquals(Set.of("10.244.1.2:8080", "10.244.2.3:9090"), new FlowProbe(t).spread("10.96.0.10", 80, TCP, "10.244.9.9", CLUSTER_POD, 200));
    }

    @Test
    void severalPortsPerService_eachServicePortIsItsOwnFrontendMatchedByPortName() {
        Service svc = web().port("https", TCP, 443).build();
        ServiceTable t = table(svc, slice("web", "web-a", List.of(ready("10.244.1.2")), tcp("http", 8080), tcp("https", 8443)));
        assertEquals(Set.of("10.244.1.2:8080"), backends(t, "10.96.0.10", 80, TCP));
        assertEquals(Set.of("10.244.1.2:8443"), backends(t, "10.96.0.10", 443, TCP));
    }

    @Test
    void tcpAndUdpOnTheSamePortAreSeparateFrontends_servicePortNameIncludesProtocol() {
        Service dns = Service.builder("kube-system", "dns").clusterIPs("10.96.0.53")
                .port("dns", UDP, 53).port("dns-tcp", TCP, 53).build();
        EndpointSlice s = new EndpointSlice("kube-system", "dns-1", "dns", null,
                List.of(ready("10.244.1.5")), List.of(udp("dns", 1053), tcp("dns-tcp", 2053)), Map.of());
        ServiceTable t = compile(List.of(dns), List.of(s)).table();
        assertEquals(Set.of("10.244.1.5:1053"), backends(t, "10.96.0.53", 53, UDP));
        assertEquals(Set.of("10.244.1.5:2053"), backends(t, "10.96.0.53", 53, TCP));
        assertEquals(-1, t.findFrontend(key("10.96.0.53", 53, Protocol.SCTP)));
    }

    @Test
    void slicePortWithNullNumberIsIgnored_endpointSliceCacheSkipsInvalidPorts() {
        ServiceTable t = table(web().build(), new EndpointSlice("default", "s", "web", null, List.of(ready("10.244.1.2")),
                List.of(new io.isthmus.lb.model.EndpointPort("http", TCP, null)), Map.of()));
        assertEquals(ServiceVerdict.REJECT, new FlowProbe(t).send("10.96.0.10", 80, TCP, "10.244.9.9", CLUSTER_POD));
    }

    // ---- endpoint conditions (topology.go CategorizeEndpoints, KEP-1669) ----

    @Test
    void readyEndpointsAreUsedAndTerminatingOnesIgnoredWhileAnyIsReady() {
        ServiceTable t = table(web().build(), slice("web", "s", List.of(
                ready("10.244.1.2"),
                withConditions("10.244.1.3", EndpointConditions.SERVING_TERMINATING, OTHER_NODE)), tcp("http", 8080)));
        assertEquals(Set.of("10.244.1.2:8080"), clusterSet(t, "10.96.0.10", 80, TCP));
    }

    @Test
    void servingTerminatingEndpointsAreUsedWhenNoneIsReady_KEP1669() {
        ServiceTable t = table(web().build(), slice("web", "s", List.of(
                withConditions("10.244.1.2", EndpointConditions.NOT_READY, OTHER_NODE),
                withConditions("10.244.1.3", EndpointConditions.SERVING_TERMINATING, OTHER_NODE),
                withConditions("10.244.1.4", EndpointConditions.TERMINATING_NOT_SERVING, OTHER_NODE)), tcp("http", 8080)));
        assertEquals(Set.of("10.244.1.3:8080"), clusterSet(t, "10.96.0.10", 80, TCP));
        FlowProbe probe = new FlowProbe(t);
        assertEquals(Set.of("10.244.1.3:8080"), probe.spread("10.96.0.10", 80, TCP, "10.244.9.9", CLUSTER_POD, 50));
    }

    @Test
    void servingFalseIsNeverUsed_soOnlyNonServingEndpointsMeansReject() {
        ServiceTable t = table(web().build(), slice("web", "s", List.of(
                withConditions("10.244.1.4", EndpointConditions.TERMINATING_NOT_SERVING, OTHER_NODE),
                withConditions("10.244.1.5", EndpointConditions.NOT_READY, OTHER_NODE)), tcp("http", 8080)));
        assertEquals(ServiceVerdict.REJECT, new FlowProbe(t).send("10.96.0.10", 80, TCP, "10.244.9.9", CLUSTER_POD));
    }

    @Test
    void nilConditionsMeanReadyAndServingAndNotTerminating_EndpointConditionsApiDoc() {
        ServiceTable t = table(web().build(), slice("web", "s", List.of(
                withConditions("10.244.1.2", new EndpointConditions(null, null, null), OTHER_NODE)), tcp("http", 8080)));
        assertEquals(Set.of("10.244.1.2:8080"), clusterSet(t, "10.96.0.10", 80, TCP));
    }

    @Test
    void selectorlessServiceUsesTheUnionOfItsSlicesWithoutDuplicates() {
        Service svc = web().selectorless().build();
        ServiceTable t = table(svc,
                slice("web", "manual-1", List.of(ready("192.0.2.1"), ready("192.0.2.2")), tcp("http", 80)),
                slice("web", "manual-2", List.of(ready("192.0.2.2"), ready("192.0.2.3")), tcp("http", 80)));
        assertEquals(Set.of("192.0.2.1:80", "192.0.2.2:80", "192.0.2.3:80"), backends(t, "10.96.0.10", 80, TCP));
        assertEquals(3, t.clusterBackendCount(t.findFrontend(key("10.96.0.10", 80, TCP))));
    }

    @Test
    void slicesOfOtherServicesOrWithoutServiceNameAreNotMixedIn() {
        Compilation c = compile(List.of(web().build()), List.of(
                slice("other", "o", List.of(ready("10.244.7.7")), tcp("http", 8080)),
                slice(null, "orphan", List.of(ready("10.244.8.8")), tcp("http", 8080)),
                slice("web", "w", List.of(ready("10.244.1.2")), tcp("http", 8080))));
        assertEquals(Set.of("10.244.1.2:8080"), backends(c.table(), "10.96.0.10", 80, TCP));
        assertTrue(c.warnings().stream().anyMatch(w -> w.contains("orphan")), c.warnings().toString());
    }

    @Test
    void noUsableEndpointKeepsTheFrontendWithVerdictReject_iptablesProxierRejectsServicesWithoutEndpoints() {
        ServiceTable t = table(web().build());
        int f = t.findFrontend(key("10.96.0.10", 80, TCP));
        assertTrue(f >= 0, "the frontend must be present, not absent");
        FlowProbe probe = new FlowProbe(t);
        assertEquals(ServiceVerdict.REJECT, probe.send("10.96.0.10", 80, TCP, "10.244.9.9", CLUSTER_POD));
        assertEquals(ServiceVerdict.NOT_A_SERVICE, probe.send("10.96.0.11", 80, TCP, "10.244.9.9", CLUSTER_POD));
        assertEquals(ServiceVerdict.NOT_A_SERVICE, probe.send("10.96.0.10", 81, TCP, "10.244.9.9", CLUSTER_POD));
    }

    // ---- traffic policies ----

    @Test
    void internalTrafficPolicyLocalUsesOnlyThisNodesEndpoints_KEP2086() {
        Service svc = web().internalTrafficPolicy(TrafficPolicy.LOCAL).build();
        ServiceTable t = table(svc, slice("web", "s", List.of(ready("10.244.1.2", THIS_NODE), ready("10.244.2.2", OTHER_NODE)), tcp("http", 8080)));
        assertEquals(Set.of("10.244.1.2:8080"), new FlowProbe(t).spread("10.96.0.10", 80, TCP, "10.244.1.9", CLUSTER_POD, 100));
    }

    @Test
    void internalTrafficPolicyLocalWithoutLocalEndpointDropsButWithoutAnyEndpointRejects() {
        Service svc = web().internalTrafficPolicy(TrafficPolicy.LOCAL).build();
        ServiceTable remoteOnly = table(svc, slice("web", "s", List.of(ready("10.244.2.2", OTHER_NODE)), tcp("http", 8080)));
        assertEquals(ServiceVerdict.DROP_NO_LOCAL_ENDPOINT, new FlowProbe(remoteOnly).send("10.96.0.10", 80, TCP, "10.244.1.9", CLUSTER_POD));
        assertEquals(ServiceVerdict.REJECT, new FlowProbe(table(svc)).send("10.96.0.10", 80, TCP, "10.244.1.9", CLUSTER_POD));
    }

    private static Service nodePortWeb(TrafficPolicy external) {
        return Service.builder("default", "web").type(ServiceType.NODE_PORT).clusterIPs("10.96.0.10")
                .port("http", TCP, 80, 30080).externalTrafficPolicy(external).build();
    }

    @Test
    void externalTrafficPolicyLocalSendsExternalTrafficToLocalEndpointsWithoutSnat() {
        ServiceTable t = table(nodePortWeb(TrafficPolicy.LOCAL),
                slice("web", "s", List.of(ready("10.244.1.2", THIS_NODE), ready("10.244.2.2", OTHER_NODE)), tcp("http", 8080)));
        FlowProbe probe = new FlowProbe(t);
        assertEquals(Set.of("10.244.1.2:8080"), probe.spread("192.168.1.10", 30080, TCP, "203.0.113.7", EXTERNAL, 100));
        assertFalse(probe.decision.snat(), "source preserved");
    }

    @Test
    void externalTrafficPolicyLocalDropsExternalTrafficWhenNoEndpointIsLocal() {
        ServiceTable t = table(nodePortWeb(TrafficPolicy.LOCAL), slice("web", "s", List.of(ready("10.244.2.2", OTHER_NODE)), tcp("http", 8080)));
        assertEquals(ServiceVerdict.DROP_NO_LOCAL_ENDPOINT, new FlowProbe(t).send("192.168.1.10", 30080, TCP, "203.0.113.7", EXTERNAL));
    }

    @Test
    void externalTrafficPolicyLocalShortCircuitsPodsAndMasqueradesTheNode_iptablesExtChain() {
        ServiceTable t = table(nodePortWeb(TrafficPolicy.LOCAL), slice("web", "s", List.of(ready("10.244.2.2", OTHER_NODE)), tcp("http", 8080)));
        FlowProbe probe = new FlowProbe(t);
        assertEquals(ServiceVerdict.FORWARD, probe.send("192.168.1.10", 30080, TCP, "10.244.1.9", CLUSTER_POD));
        assertFalse(probe.decision.snat());
        assertEquals(ServiceVerdict.FORWARD, probe.send("192.168.1.10", 30080, TCP, "192.168.1.10", NODE));
        assertTrue(probe.decision.snat());
    }

    @Test
    void externalTrafficPolicyClusterFlagsExternalTrafficForSnat() {
        ServiceTable t = table(nodePortWeb(TrafficPolicy.CLUSTER), slice("web", "s", List.of(ready("10.244.2.2", OTHER_NODE)), tcp("http", 8080)));
        FlowProbe probe = new FlowProbe(t);
        assertEquals(ServiceVerdict.FORWARD, probe.send("192.168.1.10", 30080, TCP, "203.0.113.7", EXTERNAL));
        assertTrue(probe.decision.snat());
        assertEquals(ServiceVerdict.FORWARD, probe.send("10.96.0.10", 80, TCP, "10.244.1.9", CLUSTER_POD));
        assertFalse(probe.decision.snat(), "pod to cluster IP keeps its source");
        assertEquals(ServiceVerdict.FORWARD, probe.send("10.96.0.10", 80, TCP, "198.51.100.1", EXTERNAL));
        assertTrue(probe.decision.snat(), "off-cluster source to a cluster IP is masqueraded (! -s clusterCIDR)");
    }

    @Test
    void localSetFallsBackToLocalServingTerminatingIndependentlyOfTheClusterSet_topologyGo() {
        ServiceTable t = table(nodePortWeb(TrafficPolicy.LOCAL), slice("web", "s", List.of(
                withConditions("10.244.1.2", EndpointConditions.SERVING_TERMINATING, THIS_NODE),
                ready("10.244.2.2", OTHER_NODE)), tcp("http", 8080)));
        assertEquals(Set.of("10.244.2.2:8080"), clusterSet(t, "192.168.1.10", 30080, TCP));
        assertEquals(Set.of("10.244.1.2:8080"), localSet(t, "192.168.1.10", 30080, TCP));
        FlowProbe probe = new FlowProbe(t);
        assertEquals(Set.of("10.244.1.2:8080"), probe.spread("192.168.1.10", 30080, TCP, "203.0.113.7", EXTERNAL, 50));
        assertEquals(Set.of("10.244.2.2:8080"), probe.spread("10.96.0.10", 80, TCP, "10.244.1.9", CLUSTER_POD, 50));
    }

    @Test
    void healthCheckNodePortCountsLocalReadyEndpointsOnly() {
        Service lb = Service.builder("default", "web").type(ServiceType.LOAD_BALANCER).clusterIPs("10.96.0.10")
                .port("http", TCP, 80, 30080).loadBalancerIngressIPs("203.0.113.100")
                .externalTrafficPolicy(TrafficPolicy.LOCAL).healthCheckNodePort(32000).build();
        Compilation two = compile(List.of(lb), List.of(slice("web", "s", List.of(
                ready("10.244.1.2", THIS_NODE), ready("10.244.1.3", THIS_NODE), ready("10.244.2.2", OTHER_NODE)), tcp("http", 8080))));
        assertEquals(List.of(new HealthCheckService(lb.serviceName(), 32000, 2)), two.healthChecks());
        Compilation terminating = compile(List.of(lb), List.of(slice("web", "s", List.of(
                withConditions("10.244.1.2", EndpointConditions.SERVING_TERMINATING, THIS_NODE)), tcp("http", 8080))));
        assertEquals(0, terminating.healthChecks().getFirst().localReadyEndpoints(), "terminating-only nodes answer 503 so LBs drain them");
        Compilation cluster = compile(List.of(nodePortWeb(TrafficPolicy.CLUSTER)), List.of());
        assertTrue(cluster.healthChecks().isEmpty());
    }

    @Test
    void hairpinWhenTheChosenBackendIsTheClientItselfNeedsSnat_iptablesSepChainMasqueradesOwnSource() {
        ServiceTable t = table(web().build(), slice("web", "s", List.of(ready("10.244.1.2", THIS_NODE)), tcp("http", 8080)));
        FlowProbe probe = new FlowProbe(t);
        assertEquals(ServiceVerdict.FORWARD, probe.send("10.96.0.10", 80, TCP, "10.244.1.2", CLUSTER_POD));
        assertTrue(probe.decision.hairpin());
        assertTrue(probe.decision.snat());
        assertEquals(ServiceVerdict.FORWARD, probe.send("10.96.0.10", 80, TCP, "10.244.1.3", CLUSTER_POD));
        assertFalse(probe.decision.hairpin());
        assertFalse(probe.decision.snat());
    }

    // ---- frontends ----

    @Test
    void frontendsAreClusterIpNodePortOnEveryNodeAddressExternalIpsAndLoadBalancerIps() {
        Service lb = Service.builder("default", "web").type(ServiceType.LOAD_BALANCER).clusterIPs("10.96.0.10", "fd00:96::10")
                .port("http", TCP, 80, 30080).externalIPs("198.51.100.20").loadBalancerIngressIPs("203.0.113.100", "2001:db8::100").build();
        ServiceTable t = compile(List.of(lb), List.of(
                slice("web", "v4", List.of(ready("10.244.1.2")), tcp("http", 8080)),
                slice6("web", "v6", List.of(ready("fd00:244::2")), tcp("http", 8080)))).table();
        for (String v4 : List.of("10.96.0.10:80", "192.168.1.10:30080", "198.51.100.20:80", "203.0.113.100:80")) {
            String[] p = v4.split(":");
            assertEquals(Set.of("10.244.1.2:8080"), backends(t, p[0], Integer.parseInt(p[1]), TCP), v4);
        }
        assertEquals(Set.of("fd00:244:0:0:0:0:0:2:8080"), backends(t, "fd00:96::10", 80, TCP));
        assertEquals(Set.of("fd00:244:0:0:0:0:0:2:8080"), backends(t, "fd00::10", 30080, TCP), "NodePort on the node's IPv6 address");
        assertEquals(Set.of("fd00:244:0:0:0:0:0:2:8080"), backends(t, "2001:db8::100", 80, TCP));
        assertEquals(7, t.frontendCount());
    }

    @Test
    void headlessAndExternalNameServicesGetNoVirtualIp() {
        Service headless = Service.builder("default", "db").clusterIPs("None").port("pg", TCP, 5432).build();
        Service external = Service.builder("default", "ext").type(ServiceType.EXTERNAL_NAME).port("http", TCP, 80).build();
        Compilation c = compile(List.of(headless, external), List.of(slice("db", "s", List.of(ready("10.244.1.2")), tcp("pg", 5432))));
        assertEquals(0, c.table().frontendCount());
        assertEquals(2, c.ignoredServices());
    }

    @Test
    void headlessLabelMakesTheServiceIgnored_kubeProxyInformerSelectsNotHeadless() {
        Service labelled = web().label(ProxyLabels.HEADLESS, "").build();
        assertEquals(0, compile(List.of(labelled), List.of()).table().frontendCount());
    }

    @Test
    void serviceProxyNameLabelHandsTheServiceToThatProxy() {
        Service other = web().label(ProxyLabels.SERVICE_PROXY_NAME, "some-other-proxy").build();
        Service ours = Service.builder("default", "mine").clusterIPs("10.96.0.11").port("http", TCP, 80)
                .label(ProxyLabels.SERVICE_PROXY_NAME, "isthmus").build();
        Compilation c = compile(List.of(other, ours), List.of());
        assertEquals(-1, c.table().findFrontend(key("10.96.0.10", 80, TCP)));
        assertTrue(c.table().findFrontend(key("10.96.0.11", 80, TCP)) >= 0);
        assertEquals(1, c.ignoredServices());
    }

    @Test
    void loadBalancerSourceRangesFilterOnlyLoadBalancerIpTraffic() {
        Service lb = Service.builder("default", "web").type(ServiceType.LOAD_BALANCER).clusterIPs("10.96.0.10")
                .port("http", TCP, 80, 30080).loadBalancerIngressIPs("203.0.113.100")
                .loadBalancerSourceRanges("198.51.100.0/24", "2001:db8::/32").build();
        ServiceTable t = table(lb, slice("web", "s", List.of(ready("10.244.2.2")), tcp("http", 8080)));
        FlowProbe probe = new FlowProbe(t);
        assertEquals(ServiceVerdict.FORWARD, probe.send("203.0.113.100", 80, TCP, "198.51.100.77", EXTERNAL));
        assertEquals(ServiceVerdict.DROP_SOURCE_NOT_ALLOWED, probe.send("203.0.113.100", 80, TCP, "192.0.2.1", EXTERNAL));
        assertEquals(ServiceVerdict.FORWARD, probe.send("192.168.1.10", 30080, TCP, "192.0.2.1", EXTERNAL), "NodePort is not filtered");
        assertEquals(ServiceVerdict.FORWARD, probe.send("10.96.0.10", 80, TCP, "192.0.2.1", EXTERNAL), "cluster IP is not filtered");
    }

    @Test
    void sourceRangeAdmittingTheNodeAlsoAdmitsTheLoadBalancerIpAsSource_iptablesAllowFromNode() {
        Service lb = Service.builder("default", "web").type(ServiceType.LOAD_BALANCER).clusterIPs("10.96.0.10")
                .port("http", TCP, 80, 30080).loadBalancerIngressIPs("203.0.113.100").loadBalancerSourceRanges("192.168.1.0/24").build();
        ServiceTable t = table(lb, slice("web", "s", List.of(ready("10.244.2.2")), tcp("http", 8080)));
        assertEquals(ServiceVerdict.FORWARD, new FlowProbe(t).send("203.0.113.100", 80, TCP, "203.0.113.100", NODE));
    }

    @Test
    void dualStackFrontendsUseEndpointsOfTheirOwnFamily() {
        Service svc = Service.builder("default", "web").clusterIPs("10.96.0.10", "fd00:96::10").port("http", TCP, 80).build();
        ServiceTable t = compile(List.of(svc), List.of(
                slice("web", "v4", List.of(ready("10.244.1.2")), tcp("http", 8080)),
                slice6("web", "v6", List.of(ready("fd00:244::2")), tcp("http", 8080)))).table();
        assertEquals(Set.of("10.244.1.2:8080"), backends(t, "10.96.0.10", 80, TCP));
        assertEquals(Set.of("fd00:244:0:0:0:0:0:2:8080"), backends(t, "fd00:96::10", 80, TCP));
    }

    @Test
    void malformedAddressesAreSkippedWithAWarningNamingTheService() {
        Service bad = Service.builder("default", "broken").clusterIPs("10.96.0.300").port("http", TCP, 80).externalIPs("not-an-ip").build();
        Compilation c = compile(List.of(bad, web().build()), List.of());
        assertTrue(c.warnings().stream().anyMatch(w -> w.contains("default/broken") && w.contains("10.96.0.300")), c.warnings().toString());
        assertTrue(c.table().findFrontend(key("10.96.0.10", 80, TCP)) >= 0, "other services still compile");
    }

    @Test
    void aFrontendClaimedTwiceGoesToTheFirstServiceByNameAndWarns() {
        Service a = Service.builder("default", "a").clusterIPs("10.96.0.20").port("http", TCP, 80).externalIPs("198.51.100.1").build();
        Service b = Service.builder("default", "b").clusterIPs("10.96.0.21").port("http", TCP, 80).externalIPs("198.51.100.1").build();
        Compilation c = compile(List.of(b, a), List.of(slice("a", "sa", List.of(ready("10.244.1.1")), tcp("http", 1111))));
        assertEquals(Set.of("10.244.1.1:1111"), backends(c.table(), "198.51.100.1", 80, TCP));
        assertTrue(c.warnings().stream().anyMatch(w -> w.contains("default/b")), c.warnings().toString());
    }
}
