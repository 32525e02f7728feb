package io.isthmus.policy.model;

import java.util.ArrayList;
import java.util.List;

/**
 * The checks the API server makes on a NetworkPolicy (networking validation) that concern the
 * meaning of a policy, so that the offline evaluator refuses what a cluster would refuse. Parsing
 * errors (an unknown operator or protocol, an unparsable CIDR) are the mapper's to report; this
 * class sees typed records.
 */
public final class PolicyValidator {

    private PolicyValidator() {
    }

    /** Every problem of {@code policy}, each a sentence naming where it is; empty when valid. */
    public static List<String> validate(Policy policy) {
        final List<String> problems = new ArrayList<>();
        selector("spec.podSelector", policy.podSelector(), problems);
        for (Direction direction : Direction.values()) {
            final List<PolicyRule> rules = policy.rules(direction);
            final String peersField = direction == Direction.INGRESS ? "from" : "to";
            for (int r = 0; r < rules.size(); r++) {
                final String where = "spec." + direction.lowerName() + "[" + r + "]";
                final PolicyRule rule = rules.get(r);
                for (int p = 0; p < rule.peers().size(); p++) {
                    peer(where + "." + peersField + "[" + p + "]", rule.peers().get(p), problems);
                }
                for (int p = 0; p < rule.ports().size(); p++) {
                    port(where + ".ports[" + p + "]", rule.ports().get(p), problems);
                }
            }
        }
        return problems;
    }

    private static void selector(String where, LabelSelector selector, List<String> problems) {
        if (selector == null) {
            return;
        }
        for (int i = 0; i < selector.matchExpressions().size(); i++) {
            final SelectorRequirement requirement = selector.matchExpressions().get(i);
            final String at = where + ".matchExpressions[" + i + "]";
            switch (requirement.operator()) {
                case IN, NOT_IN -> {
                    if (requirement.values().isEmpty()) {
                        problems.add(at + ": operator " + requirement.operator().apiName() + " needs at least one value");
                    }
                }
                case EXISTS, DOES_NOT_EXIST -> {
                    if (!requirement.values().isEmpty()) {
                        problems.add(at + ": operator " + requirement.operator().apiName() + " takes no values");
                    }
                }
            }
            if (requirement.key() == null || requirement.key().isEmpty()) {
                problems.add(at + ": key is required");
            }
        }
    }

    private static void peer(String where, PolicyPeer peer, List<String> problems) {
        if (peer.ipBlock() != null) {
            if (peer.podSelector() != null || peer.namespaceSelector() != null) {
                problems.add(where + ": ipBlock may not be combined with podSelector or namespaceSelector");
            }
            final IpBlock block = peer.ipBlock();
            for (int e = 0; e < block.except().size(); e++) {
                final Cidr hole = block.except().get(e);
                if (!block.cidr().contains(hole) || hole.prefixLength() == block.cidr().prefixLength()) {
                    problems.add(where + ".ipBlock.except[" + e + "]: " + hole + " must be a strict subset of cidr " + block.cidr());
                }
            }
            return;
        }
        if (peer.podSelector() == null && peer.namespaceSelector() == null) {
            problems.add(where + ": must specify podSelector, namespaceSelector or ipBlock");
        }
        selector(where + ".podSelector", peer.podSelector(), problems);
        selector(where + ".namespaceSelector", peer.namespaceSelector(), problems);
    }

    private static void port(String where, PolicyPort port, List<String> problems) {
        if (port.protocol() == null || port.protocol() == Protocol.OTHER) {
            problems.add(where + ".protocol: must be TCP, UDP or SCTP");
        }
        if (port.portName() != null) {
            if (!isServiceName(port.portName())) {
                problems.add(where + ".port: '" + port.portName() + "' is neither a port number nor a valid port name (IANA_SVC_NAME)");
            }
            if (port.endPort() != 0) {
                problems.add(where + ".endPort: may not be used with a named port");
            }
            return;
        }
        if (port.port() == 0) {
            if (port.endPort() != 0) {
                problems.add(where + ".endPort: may not be specified when port is not");
            }
            return;
        }
        if (port.port() < 1 || port.port() > 65535) {
            problems.add(where + ".port: " + port.port() + " is not in 1..65535");
        }
        if (port.endPort() != 0 && (port.endPort() < port.port() || port.endPort() > 65535)) {
            problems.add(where + ".endPort: " + port.endPort() + " must be in " + port.port() + "..65535");
        }
    }

    /** IANA_SVC_NAME: 1-15 lowercase letters, digits and '-', a letter somewhere, no '-' at the ends or doubled. */
    static boolean isServiceName(String name) {
        if (name.isEmpty() || name.length() > 15 || name.startsWith("-") || name.endsWith("-") || name.contains("--")) {
            return false;
        }
        boolean letter = false;
        for (int i = 0; i < name.length(); i++) {
            final char c = name.charAt(i);
            if (c >= 'a' && c <= 'z') {
                letter = true;
            } else if (!(c >= '0' && c <= '9') && c != '-') {
                return false;
            }
        }
        return letter;
    }
}
