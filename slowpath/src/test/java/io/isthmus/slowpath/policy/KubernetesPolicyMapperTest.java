package io.isthmus.slowpath.policy;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.isthmus.policy.model.ContainerPort;
import io.isthmus.policy.model.Direction;
import io.isthmus.policy.model.IpAddress;
import io.isthmus.policy.model.LabelSelector;
import io.isthmus.policy.model.PodInfo;
import io.isthmus.policy.model.Policy;
import io.isthmus.policy.model.PolicyPeer;
import io.isthmus.policy.model.PolicyPort;
import io.isthmus.policy.model.Protocol;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class KubernetesPolicyMapperTest {

    private static Policy map(String yaml, List<String> problems) {
        return KubernetesPolicyMapper.policy(Serialization.unmarshal(yaml, NetworkPolicy.class), problems);
    }

    @Test
    @DisplayName("a missing selector is 'not given' (null); {} is 'everything'; protocol defaults to TCP; policyTypes default")
    void nullVersusEmptyAndDefaults() {
        final List<String> problems = new ArrayList<>();
        final Policy policy = map("""
                apiVersion: networking.k8s.io/v1
                kind: NetworkPolicy
                metadata: {name: p}
                spec:
                  podSelector: {}
                  ingress:
                  - from: [{namespaceSelector: {}}, {podSelector: {matchLabels: {app: a}}}]
                    ports: [{port: 80}, {protocol: UDP, port: dns}, {port: 8000, endPort: 8080}]
                  egress:
                  - {}
                """, problems);
        assertEquals(List.of(), problems);
        assertEquals("default", policy.namespace());
        assertEquals(EnumSet.of(Direction.INGRESS, Direction.EGRESS), policy.types());
        assertEquals(LabelSelector.ALL, policy.podSelector());
        assertEquals(List.of(PolicyPeer.namespaces(LabelSelector.ALL), PolicyPeer.pods(LabelSelector.ofLabels(Map.of("app", "a")))),
                policy.ingress().getFirst().peers());
        assertEquals(List.of(PolicyPort.number(Protocol.TCP, 80), PolicyPort.named(Protocol.UDP, "dns"), PolicyPort.range(Protocol.TCP, 8000, 8080)),
                policy.ingress().getFirst().ports());
        assertEquals(1, policy.egress().size());
        assertEquals(List.of(), policy.egress().getFirst().peers());
    }

    @Test
    @DisplayName("invalid policies give problems naming the field, and no policy")
    void problems() {
        final List<String> problems = new ArrayList<>();
        assertNull(map("""
                apiVersion: networking.k8s.io/v1
                kind: NetworkPolicy
                metadata: {name: p, namespace: n}
                spec:
                  podSelector: {matchExpressions: [{key: a, operator: In}]}
                  policyTypes: [Sideways]
                """, problems));
        assertEquals(List.of("spec.policyTypes[0]: 'Sideways' is not Ingress or Egress"), problems);
        problems.clear();
        assertNull(map("""
                apiVersion: networking.k8s.io/v1
                kind: NetworkPolicy
                metadata: {name: p, namespace: n}
                spec:
                  podSelector: {matchExpressions: [{key: a, operator: In}]}
                """, problems));
        assertEquals(List.of("spec.podSelector.matchExpressions[0]: operator In needs at least one value"), problems);
    }

    @Test
    @DisplayName("pods: labels, container ports (named or not, protocol default TCP), podIP and podIPs")
    void pods() {
        final List<String> problems = new ArrayList<>();
        final PodInfo pod = KubernetesPolicyMapper.pod(Serialization.unmarshal("""
                apiVersion: v1
                kind: Pod
                metadata: {name: web, namespace: shop, labels: {app: web}}
                spec:
                  containers:
                  - name: c
                    ports: [{name: http, containerPort: 8080}, {containerPort: 53, protocol: UDP}]
                status:
                  podIP: 10.1.0.1
                  podIPs: [{ip: 10.1.0.1}, {ip: "fd00::1"}]
                """, Pod.class), true, problems);
        assertEquals(List.of(), problems);
        assertEquals(new PodInfo("shop", "web", Map.of("app", "web"), List.of(IpAddress.parse("10.1.0.1"), IpAddress.parse("fd00::1")),
                List.of(new ContainerPort("http", Protocol.TCP, 8080), new ContainerPort(null, Protocol.UDP, 53)), true), pod);
        assertNull(KubernetesPolicyMapper.pod(Serialization.unmarshal("""
                apiVersion: v1
                kind: Pod
                metadata: {name: web}
                status: {podIP: 10.1.0.300}
                """, Pod.class), true, problems));
        assertEquals(List.of("status.podIP: '10.1.0.300' is not an IP address"), problems);
    }
}
