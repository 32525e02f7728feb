package io.isthmus.policy.model;

import java.util.List;

/**
 * One ingress or egress rule (API: {@code NetworkPolicyIngressRule} / {@code EgressRule}). It
 * allows a connection when the remote end matches one of {@code peers} (an empty list: any
 * remote end, pods and external addresses alike) and the connection's protocol and destination
 * port match one of {@code ports} (an empty list: every port of every protocol).
 */
public record PolicyRule(List<PolicyPeer> peers, List<PolicyPort> ports) {

    public PolicyRule {
        peers = List.copyOf(peers);
        ports = List.copyOf(ports);
    }

    /** {@code - {}}: allows everything. */
    public static final PolicyRule ALLOW_ALL = new PolicyRule(List.of(), List.of());
}
