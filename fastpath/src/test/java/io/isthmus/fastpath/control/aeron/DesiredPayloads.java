package io.isthmus.fastpath.control.aeron;

import io.isthmus.dns.zone.EndpointRecord;
import io.isthmus.dns.zone.EndpointSliceRecord;
import io.isthmus.dns.zone.PodRecord;
import io.isthmus.dns.zone.ServiceRecord;
import io.isthmus.fastpath.control.DesiredKind;
import io.isthmus.lb.model.AddressType;
import io.isthmus.lb.model.Endpoint;
import io.isthmus.lb.model.EndpointConditions;
import io.isthmus.lb.model.EndpointPort;
import io.isthmus.lb.model.EndpointSlice;
import io.isthmus.lb.model.Service;
import io.isthmus.lb.model.ServiceName;
import io.isthmus.lb.model.ServicePort;
import io.isthmus.lb.model.ServiceType;
import io.isthmus.lb.model.SessionAffinity;
import io.isthmus.lb.model.TargetPort;
import io.isthmus.lb.model.TrafficPolicy;
import io.isthmus.policy.model.Cidr;
import io.isthmus.policy.model.ContainerPort;
import io.isthmus.policy.model.Direction;
import io.isthmus.policy.model.IpAddress;
import io.isthmus.policy.model.IpBlock;
import io.isthmus.policy.model.LabelSelector;
import io.isthmus.policy.model.NamespaceInfo;
import io.isthmus.policy.model.PodInfo;
import io.isthmus.policy.model.Policy;
import io.isthmus.policy.model.PolicyPeer;
import io.isthmus.policy.model.PolicyPort;
import io.isthmus.policy.model.PolicyRule;
import io.isthmus.policy.model.Protocol;
import io.isthmus.policy.model.SelectorOperator;
import io.isthmus.policy.model.SelectorRequirement;

import java.net.InetAddress;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** One rich example payload per {@link DesiredKind} (every optional part filled, nested types, IPv4 and IPv6). */
final class DesiredPayloads {
    private DesiredPayloads() {
    }

    static Map<DesiredKind, Object> examples() throws Exception {
        final Map<DesiredKind, Object> all = new EnumMap<>(DesiredKind.class);
        all.put(DesiredKind.LB_SERVICE, new Service(new ServiceName("shop", "web"), ServiceType.NODE_PORT,
                List.of("10.96.0.10", "fd00::10"),
                List.of(new ServicePort("http", io.isthmus.lb.model.Protocol.TCP, 80, new TargetPort.Named("web"), 30080),
                        new ServicePort("dns", io.isthmus.lb.model.Protocol.UDP, 53, new TargetPort.Number(5353), 0)),
                List.of("192.0.2.7"), List.of("198.51.100.1"), SessionAffinity.CLIENT_IP, 600, TrafficPolicy.LOCAL,
                TrafficPolicy.CLUSTER, 31000, List.of("203.0.113.0/24"), Map.of("app", "web"), true));
        all.put(DesiredKind.LB_ENDPOINT_SLICE, new EndpointSlice("shop", "web-abc12", "web", AddressType.IPV4,
                List.of(new Endpoint(List.of("10.244.1.2"), new EndpointConditions(true, true, false), "node-a"),
                        new Endpoint(List.of("10.244.1.3"), new EndpointConditions(null, false, true), null)),
                List.of(new EndpointPort("http", io.isthmus.lb.model.Protocol.TCP, 8080), new EndpointPort(null, null, null)),
                Map.of("kubernetes.io/service-name", "web")));
        all.put(DesiredKind.POLICY_NAMESPACE, NamespaceInfo.of("shop", Map.of("team", "blue")));
        all.put(DesiredKind.POLICY_POD, new PodInfo("shop", "web-0", Map.of("app", "web"),
                List.of(IpAddress.parse("10.244.1.2"), IpAddress.parse("fd00::1:2")),
                List.of(new ContainerPort("http", Protocol.TCP, 8080)), true));
        all.put(DesiredKind.POLICY, new Policy("shop", "allow-web",
                new LabelSelector(Map.of("app", "web"), List.of(new SelectorRequirement("tier", SelectorOperator.IN, List.of("a", "b")))),
                Set.of(Direction.INGRESS, Direction.EGRESS),
                List.of(new PolicyRule(List.of(new PolicyPeer(LabelSelector.ALL, new LabelSelector(Map.of("team", "blue"), List.of()), null),
                        new PolicyPeer(null, null, new IpBlock(Cidr.parse("10.0.0.0/8"), List.of(Cidr.parse("10.1.0.0/16"))))),
                        List.of(new PolicyPort(Protocol.TCP, 80, null, 0), new PolicyPort(Protocol.UDP, 0, "dns", 0)))),
                List.of(new PolicyRule(List.of(), List.of(new PolicyPort(Protocol.TCP, 1000, null, 2000))))));
        all.put(DesiredKind.DNS_SERVICE, ServiceRecord.clusterIp("shop", "web",
                List.of(InetAddress.getByName("10.96.0.10"), InetAddress.getByName("fd00::10")),
                List.of(new io.isthmus.dns.zone.ServicePort("http", "TCP", 80))));
        all.put(DesiredKind.DNS_ENDPOINT_SLICE, new EndpointSliceRecord("shop", "web",
                List.of(new io.isthmus.dns.zone.ServicePort("http", "TCP", 8080)),
                List.of(new EndpointRecord(List.of(InetAddress.getByName("10.244.1.2")), "web-0", true),
                        new EndpointRecord(List.of(InetAddress.getByName("fd00::1:2")), "", false))));
        all.put(DesiredKind.DNS_POD, new PodRecord("shop", "web-0", List.of(InetAddress.getByName("10.244.1.2")), "web-0", "web", true));
        return all;
    }
}
