package io.isthmus.policy;

import io.isthmus.policy.model.Cidr;
import io.isthmus.policy.model.Direction;
import io.isthmus.policy.model.IpBlock;
import io.isthmus.policy.model.LabelSelector;
import io.isthmus.policy.model.Policy;
import io.isthmus.policy.model.PolicyPeer;
import io.isthmus.policy.model.PolicyPort;
import io.isthmus.policy.model.PolicyRule;
import io.isthmus.policy.model.Protocol;
import io.isthmus.policy.model.SelectorOperator;
import io.isthmus.policy.model.SelectorRequirement;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;

/** A small language for writing policies in tests, shaped like the YAML. */
public final class Dsl {
    private Dsl() {
    }

    public static final LabelSelector ALL = LabelSelector.ALL;

    public static LabelSelector sel(String key, String value) {
        return LabelSelector.ofLabels(Map.of(key, value));
    }

    public static LabelSelector expr(String key, SelectorOperator operator, String... values) {
        return new LabelSelector(Map.of(), List.of(new SelectorRequirement(key, operator, List.of(values))));
    }

    public static LabelSelector nsName(String namespace) {
        return sel("kubernetes.io/metadata.name", namespace);
    }

    public static PolicyPeer pods(LabelSelector selector) {
        return PolicyPeer.pods(selector);
    }

    public static PolicyPeer namespaces(LabelSelector selector) {
        return PolicyPeer.namespaces(selector);
    }

    public static PolicyPeer podsIn(LabelSelector pods, LabelSelector namespaces) {
        return PolicyPeer.podsInNamespaces(pods, namespaces);
    }

    public static PolicyPeer block(String cidr, String... except) {
        return PolicyPeer.addresses(new IpBlock(Cidr.parse(cidr), Arrays.stream(except).map(Cidr::parse).toList()));
    }

    public static List<PolicyPeer> peers(PolicyPeer... peers) {
        return List.of(peers);
    }

    /** A rule: {@code peers} (empty: anyone) and {@code ports} (none: every port). */
    public static PolicyRule rule(List<PolicyPeer> peers, PolicyPort... ports) {
        return new PolicyRule(peers, List.of(ports));
    }

    public static PolicyRule anyone(PolicyPort... ports) {
        return new PolicyRule(List.of(), List.of(ports));
    }

    public static PolicyPort tcp(int port) {
        return PolicyPort.number(Protocol.TCP, port);
    }

    public static PolicyPort udp(int port) {
        return PolicyPort.number(Protocol.UDP, port);
    }

    public static PolicyPort sctp(int port) {
        return PolicyPort.number(Protocol.SCTP, port);
    }

    public static PolicyPort range(Protocol protocol, int port, int endPort) {
        return PolicyPort.range(protocol, port, endPort);
    }

    public static PolicyPort named(Protocol protocol, String name) {
        return PolicyPort.named(protocol, name);
    }

    public static PolicyPort allOf(Protocol protocol) {
        return PolicyPort.allPorts(protocol);
    }

    public static Builder policy(String namespace, String name, LabelSelector podSelector) {
        return new Builder(namespace, name, podSelector);
    }

    /** Builds a {@link Policy}; policyTypes default as the API server defaults them. */
    public static final class Builder {
        private final String namespace;
        private final String name;
        private final LabelSelector podSelector;
        private final List<PolicyRule> ingress = new ArrayList<>();
        private final List<PolicyRule> egress = new ArrayList<>();
        private List<Direction> types;

        Builder(String namespace, String name, LabelSelector podSelector) {
            this.namespace = namespace;
            this.name = name;
            this.podSelector = podSelector;
        }

        public Builder ingress(PolicyRule... rules) {
            ingress.addAll(List.of(rules));
            return this;
        }

        public Builder egress(PolicyRule... rules) {
            egress.addAll(List.of(rules));
            return this;
        }

        public Builder types(Direction... directions) {
            types = List.of(directions);
            return this;
        }

        public Policy build() {
            return new Policy(namespace, name, podSelector, Policy.effectiveTypes(types, !egress.isEmpty()), ingress, egress);
        }
    }

    public static EnumSet<Direction> both() {
        return EnumSet.allOf(Direction.class);
    }
}
