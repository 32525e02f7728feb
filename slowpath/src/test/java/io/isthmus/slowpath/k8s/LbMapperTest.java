package io.isthmus.slowpath.k8s;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.isthmus.lb.model.AddressType;
import io.isthmus.lb.model.EndpointConditions;
import io.isthmus.lb.model.Protocol;
import io.isthmus.lb.model.ServiceType;
import io.isthmus.lb.model.SessionAffinity;
import io.isthmus.lb.model.TargetPort;
import io.isthmus.lb.model.TrafficPolicy;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LbMapperTest {

    @Test
    void everyFieldTheLoadBalancerReads() {
        final List<String> problems = new ArrayList<>();
        final io.isthmus.lb.model.Service service = LbMapper.service(Serialization.unmarshal("""
                apiVersion: v1
                kind: Service
                metadata: {name: web, labels: {tier: front}}
                spec:
                  type: LoadBalancer
                  selector: {app: web}
                  clusterIP: 10.96.0.20
                  clusterIPs: [10.96.0.20, "fd00::20"]
                  externalIPs: [203.0.113.5]
                  loadBalancerSourceRanges: [198.51.100.0/24]
                  sessionAffinity: ClientIP
                  sessionAffinityConfig: {clientIP: {timeoutSeconds: 60}}
                  externalTrafficPolicy: Local
                  healthCheckNodePort: 32000
                  ports:
                  - {name: http, port: 80, targetPort: web, nodePort: 30080}
                  - {name: dns, port: 53, protocol: UDP}
                status: {loadBalancer: {ingress: [{ip: 198.51.100.7}, {hostname: lb.example}]}}
                """, Service.class), problems);
        assertEquals(List.of(), problems);
        assertEquals("default/web", service.serviceName().toString());
        assertEquals(ServiceType.LOAD_BALANCER, service.type());
        assertEquals(List.of("10.96.0.20", "fd00::20"), service.clusterIPs());
        assertEquals(List.of("203.0.113.5"), service.externalIPs());
        assertEquals(List.of("198.51.100.7"), service.loadBalancerIngressIPs());
        assertEquals(SessionAffinity.CLIENT_IP, service.sessionAffinity());
        assertEquals(60, service.affinityTimeoutSeconds());
        assertEquals(TrafficPolicy.LOCAL, service.externalTrafficPolicy());
        assertEquals(TrafficPolicy.CLUSTER, service.internalTrafficPolicy());
        assertEquals(32000, service.healthCheckNodePort());
        assertEquals(new TargetPort.Named("web"), service.ports().get(0).targetPort());
        assertEquals(30080, service.ports().get(0).nodePort());
        assertEquals(Protocol.UDP, service.ports().get(1).protocol());
        assertEquals(new TargetPort.Number(53), service.ports().get(1).targetPort());
        assertTrue(service.hasSelector());
        assertEquals("front", service.labels().get("tier"));
    }

    @Test
    void badFieldsRefuseTheServiceNamingEach() {
        final List<String> problems = new ArrayList<>();
        assertNull(LbMapper.service(Serialization.unmarshal("""
                apiVersion: v1
                kind: Service
                metadata: {name: web, namespace: shop}
                spec:
                  type: Magic
                  externalTrafficPolicy: Nearby
                  ports:
                  - {name: a, port: 0}
                  - {name: b, port: 80, protocol: ICMP, targetPort: 70000}
                """, Service.class), problems));
        assertEquals(List.of(
                "spec.type: 'Magic' is not ClusterIP, NodePort, LoadBalancer or ExternalName",
                "spec.ports[0].port: 0 is not in 1..65535",
                "spec.ports[1].protocol: 'ICMP' is not TCP, UDP or SCTP",
                "spec.ports[1].targetPort: 70000 is not in 1..65535",
                "spec.externalTrafficPolicy: 'Nearby' is not Cluster or Local"), problems);
    }

    @Test
    void sliceWithNilConditionsAndServiceName() {
        final List<String> problems = new ArrayList<>();
        final io.isthmus.lb.model.EndpointSlice slice = LbMapper.slice(Serialization.unmarshal("""
                apiVersion: discovery.k8s.io/v1
                kind: EndpointSlice
                metadata: {name: web-1, namespace: shop, labels: {kubernetes.io/service-name: web}}
                addressType: IPv4
                ports: [{name: http, port: 8080}]
                endpoints:
                - addresses: [10.244.1.2]
                  nodeName: node-a
                - addresses: [10.244.1.3]
                  conditions: {ready: false, serving: true, terminating: true}
                """, EndpointSlice.class), problems);
        assertEquals(List.of(), problems);
        assertEquals("web", slice.serviceName());
        assertEquals(AddressType.IPV4, slice.addressType());
        assertEquals(Protocol.TCP, slice.ports().getFirst().protocol());
        assertTrue(slice.endpoints().get(0).conditions().isReady(), "nil ready reads as ready");
        assertEquals("node-a", slice.endpoints().get(0).nodeName());
        assertEquals(EndpointConditions.SERVING_TERMINATING, slice.endpoints().get(1).conditions());

        assertNull(LbMapper.slice(Serialization.unmarshal("""
                apiVersion: discovery.k8s.io/v1
                kind: EndpointSlice
                metadata: {name: web-2, labels: {kubernetes.io/service-name: web}}
                addressType: IPv5
                """, EndpointSlice.class), problems));
        assertFalse(problems.isEmpty());
        assertEquals("addressType: 'IPv5' is not IPv4, IPv6 or FQDN", problems.getFirst());
    }
}
