package io.isthmus.policy;

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
import io.isthmus.policy.model.PolicyValidator;
import io.isthmus.policy.model.Protocol;
import io.isthmus.policy.model.SelectorOperator;
import io.isthmus.policy.model.SelectorRequirement;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Random namespaces, pods and policies over a small label vocabulary, so that selectors often match. */
final class RandomWorld {
    static final List<String> KEYS = List.of("app", "tier", "env");
    static final List<String> VALUES = List.of("a", "b", "c");
    static final List<String> PORT_NAMES = List.of("http", "dns", "metrics");
    static final List<String> CIDRS = List.of("0.0.0.0/0", "10.0.0.0/8", "10.9.0.0/16", "10.9.1.0/24", "192.168.0.0/16",
            "192.168.7.7/32", "203.0.113.0/24", "fd00::/8", "fd00:1::/32", "2001:db8::/32");
    static final List<String> EXTERNAL = List.of("10.9.1.5", "10.9.2.5", "10.200.0.1", "192.168.7.7", "192.168.8.8",
            "203.0.113.50", "8.8.8.8", "172.16.0.1", "fd00:1::9", "fd00:2::9", "2001:db8::5", "2002::1");

    final Random random;
    final Map<String, NamespaceInfo> namespaces = new LinkedHashMap<>();
    final Map<String, PodInfo> pods = new LinkedHashMap<>();
    final Map<String, Policy> policies = new LinkedHashMap<>();
    final List<IpAddress> nodeAddresses = List.of(IpAddress.parse("172.16.0.1"));
    private int podCounter;
    private int policyCounter;

    RandomWorld(long seed, int namespaceCount, int podCount, int policyCount) {
        random = new Random(seed);
        for (int i = 0; i < namespaceCount; i++) {
            final NamespaceInfo ns = NamespaceInfo.of("ns" + i, labels());
            namespaces.put(ns.name(), ns);
        }
        for (int i = 0; i < podCount; i++) {
            addPod();
        }
        for (int i = 0; i < policyCount; i++) {
            addPolicy();
        }
    }

    Map<String, String> labels() {
        final Map<String, String> labels = new HashMap<>();
        for (String key : KEYS) {
            if (random.nextInt(3) > 0) {
                labels.put(key, pick(VALUES));
            }
        }
        return labels;
    }

    <T> T pick(List<T> list) {
        return list.get(random.nextInt(list.size()));
    }

    PodInfo addPod() {
        final int n = podCounter++;
        final List<ContainerPort> ports = new ArrayList<>();
        for (String name : PORT_NAMES) {
            if (random.nextBoolean()) {
                ports.add(new ContainerPort(name, pick(List.of(Protocol.TCP, Protocol.UDP)), 8000 + random.nextInt(4)));
            }
        }
        final List<IpAddress> addresses = random.nextInt(8) == 0 ? List.of(IpAddress.parse("fd10::" + Integer.toHexString(n + 1)))
                : List.of(IpAddress.ofIpv4((10 << 24) | (1 << 16) | (n + 1)));
        final PodInfo pod = new PodInfo(pick(List.copyOf(namespaces.keySet())), "p" + n, labels(), addresses, ports, random.nextInt(4) > 0);
        pods.put(pod.key(), pod);
        return pod;
    }

    Policy addPolicy() {
        final String namespace = pick(List.copyOf(namespaces.keySet()));
        final Policy policy = randomPolicy(namespace, "pol" + policyCounter++);
        policies.put(policy.key(), policy);
        return policy;
    }

    Policy randomPolicy(String namespace, String name) {
        while (true) {
            final List<PolicyRule> ingress = rules();
            final List<PolicyRule> egress = rules();
            final List<Direction> types = switch (random.nextInt(4)) {
                case 0 -> null;
                case 1 -> List.of(Direction.INGRESS);
                case 2 -> List.of(Direction.EGRESS);
                default -> List.of(Direction.INGRESS, Direction.EGRESS);
            };
            final Policy policy = new Policy(namespace, name, selector(), Policy.effectiveTypes(types, !egress.isEmpty()), ingress, egress);
            if (PolicyValidator.validate(policy).isEmpty()) {
                return policy;
            }
        }
    }

    private List<PolicyRule> rules() {
        final List<PolicyRule> rules = new ArrayList<>();
        final int count = random.nextInt(3);
        for (int i = 0; i < count; i++) {
            final List<PolicyPeer> peers = new ArrayList<>();
            final int peerCount = random.nextInt(3);
            for (int p = 0; p < peerCount; p++) {
                peers.add(switch (random.nextInt(4)) {
                    case 0 -> PolicyPeer.pods(selector());
                    case 1 -> PolicyPeer.namespaces(selector());
                    case 2 -> PolicyPeer.podsInNamespaces(selector(), selector());
                    default -> PolicyPeer.addresses(block());
                });
            }
            final List<PolicyPort> ports = new ArrayList<>();
            final int portCount = random.nextInt(3);
            for (int p = 0; p < portCount; p++) {
                final Protocol protocol = pick(List.of(Protocol.TCP, Protocol.UDP, Protocol.SCTP));
                ports.add(switch (random.nextInt(4)) {
                    case 0 -> PolicyPort.number(protocol, 8000 + random.nextInt(4));
                    case 1 -> PolicyPort.range(protocol, 8000 + random.nextInt(2), 8002 + random.nextInt(2));
                    case 2 -> PolicyPort.named(protocol, pick(PORT_NAMES));
                    default -> PolicyPort.allPorts(protocol);
                });
            }
            rules.add(new PolicyRule(peers, ports));
        }
        return rules;
    }

    private IpBlock block() {
        final Cidr cidr = Cidr.parse(pick(CIDRS));
        final List<Cidr> except = new ArrayList<>();
        for (String candidate : CIDRS) {
            final Cidr hole = Cidr.parse(candidate);
            if (cidr.contains(hole) && hole.prefixLength() > cidr.prefixLength() && random.nextInt(3) == 0) {
                except.add(hole);
            }
        }
        return new IpBlock(cidr, except);
    }

    LabelSelector selector() {
        if (random.nextInt(4) == 0) {
            return LabelSelector.ALL;
        }
        final Map<String, String> match = new HashMap<>();
        final List<SelectorRequirement> expressions = new ArrayList<>();
        if (random.nextBoolean()) {
            match.put(pick(KEYS), pick(VALUES));
        }
        if (random.nextBoolean()) {
            final SelectorOperator op = pick(List.of(SelectorOperator.values()));
            final List<String> values = switch (op) {
                case IN, NOT_IN -> List.of(pick(VALUES), pick(VALUES)).stream().distinct().toList();
                default -> List.of();
            };
            expressions.add(new SelectorRequirement(pick(KEYS), op, values));
        }
        return new LabelSelector(match, expressions);
    }
}
