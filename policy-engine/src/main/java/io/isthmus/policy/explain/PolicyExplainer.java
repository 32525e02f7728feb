package io.isthmus.policy.explain;

import io.isthmus.policy.model.ContainerPort;
import io.isthmus.policy.model.Direction;
import io.isthmus.policy.model.PodInfo;
import io.isthmus.policy.model.Policy;
import io.isthmus.policy.model.PolicyPeer;
import io.isthmus.policy.model.PolicyPort;
import io.isthmus.policy.model.PolicyRule;
import io.isthmus.policy.model.Protocol;

import java.util.ArrayList;
import java.util.List;

/**
 * NetworkPolicy semantics written straight from the API documentation, over the declared
 * objects: it says which policies and rules decide a connection. It is the readable reference;
 * verdicts on any data path come from {@link io.isthmus.policy.compile.PolicySnapshot}, and the
 * tests check that the two agree.
 *
 * <p>The rules it follows (Kubernetes "Network Policies" concept page and API reference):
 * <ul>
 *   <li>a pod is isolated for a direction when at least one policy that selects it has that
 *       direction in its policyTypes; a pod that is not isolated allows everything that way;</li>
 *   <li>an isolated pod allows what the union of the rules of all those policies allows
 *       (policies are additive, they never deny);</li>
 *   <li>a connection needs both the source's egress and the destination's ingress; each side is
 *       judged only where that pod is local (another node judges its own pods);</li>
 *   <li>"the only allowed connections into the pod are those from the pod's node and those
 *       allowed by the ingress list": this node's own addresses always reach a local pod;</li>
 *   <li>ipBlock peers match addresses that are not pods ("these should be cluster-external
 *       IPs, since Pod IPs are ephemeral and unpredictable"); pod selectors match pods only.</li>
 * </ul>
 *
 * <p><b>Thread-safety:</b> stateless apart from the immutable model; any thread.
 */
public final class PolicyExplainer {
    private final PolicyModel model;

    public PolicyExplainer(PolicyModel model) {
        this.model = model;
    }

    /** Explains a new connection from {@code source} to {@code destination} port {@code port}. */
    public Explanation explain(Endpoint source, Endpoint destination, Protocol protocol, int port) {
        final List<String> lines = new ArrayList<>();
        boolean allowed = true;
        if (source instanceof Endpoint.Pod(PodInfo pod) && pod.local()) {
            allowed &= side(pod, Direction.EGRESS, destination, destination, protocol, port, lines);
        } else {
            lines.add("egress: not checked: source " + source + " is not a local pod");
        }
        if (destination instanceof Endpoint.Pod(PodInfo pod) && pod.local()) {
            if (source instanceof Endpoint.Address(var address) && model.nodeAddresses().contains(address)) {
                lines.add("ingress: allowed: from the pod's own node (" + address + ")");
            } else {
                allowed &= side(pod, Direction.INGRESS, source, destination, protocol, port, lines);
            }
        } else {
            lines.add("ingress: not checked: destination " + destination + " is not a local pod");
        }
        return new Explanation(allowed, lines);
    }

    private boolean side(PodInfo pod, Direction direction, Endpoint remote, Endpoint destination, Protocol protocol, int port,
                         List<String> lines) {
        final List<String> isolating = new ArrayList<>();
        final List<String> allowing = new ArrayList<>();
        for (Policy policy : model.policies()) {
            if (!policy.selects(pod.namespace(), pod.labels()) || !policy.types().contains(direction)) {
                continue;
            }
            isolating.add(policy.key());
            final List<PolicyRule> rules = policy.rules(direction);
            for (int r = 0; r < rules.size(); r++) {
                if (ruleAllows(policy, rules.get(r), remote, destination, protocol, port)) {
                    allowing.add(policy.key() + " rule " + r);
                }
            }
        }
        final String name = direction.lowerName();
        if (isolating.isEmpty()) {
            lines.add(name + ": allowed: no policy isolates " + pod.key() + " for " + name);
            return true;
        }
        if (allowing.isEmpty()) {
            lines.add(name + ": denied: isolated by " + String.join(", ", isolating) + ", no rule matches");
            return false;
        }
        for (String rule : allowing) {
            lines.add(name + ": allowed by " + rule);
        }
        return true;
    }

    private boolean ruleAllows(Policy policy, PolicyRule rule, Endpoint remote, Endpoint destination, Protocol protocol, int port) {
        boolean peerMatches = rule.peers().isEmpty(); // no from/to: every source or destination
        for (PolicyPeer peer : rule.peers()) {
            peerMatches |= peerMatches(policy, peer, remote);
        }
        if (!peerMatches) {
            return false;
        }
        if (rule.ports().isEmpty()) { // no ports: every port of every protocol
            return true;
        }
        for (PolicyPort policyPort : rule.ports()) {
            if (portMatches(policyPort, destination, protocol, port)) {
                return true;
            }
        }
        return false;
    }

    private boolean peerMatches(Policy policy, PolicyPeer peer, Endpoint remote) {
        return switch (remote) {
            case Endpoint.Pod(PodInfo pod) -> {
                if (peer.ipBlock() != null) {
                    yield false;
                }
                final boolean namespaceOk = peer.namespaceSelector() == null
                        ? pod.namespace().equals(policy.namespace()) // podSelector alone: the policy's namespace
                        : peer.namespaceSelector().matches(model.namespaceLabels(pod.namespace()));
                yield namespaceOk && (peer.podSelector() == null || peer.podSelector().matches(pod.labels()));
            }
            case Endpoint.Address(var address) -> {
                if (peer.ipBlock() == null || !peer.ipBlock().cidr().contains(address)) {
                    yield false; // selectors, even namespaceSelector {}, never match external addresses
                }
                yield peer.ipBlock().except().stream().noneMatch(hole -> hole.contains(address));
            }
        };
    }

    private static boolean portMatches(PolicyPort policyPort, Endpoint destination, Protocol protocol, int port) {
        if (policyPort.protocol() != protocol) {
            return false;
        }
        if (policyPort.portName() != null) {
            if (!(destination instanceof Endpoint.Pod(PodInfo pod))) {
                return false; // a named port needs a destination pod that declares it
            }
            for (ContainerPort declared : pod.containerPorts()) {
                if (policyPort.portName().equals(declared.name()) && declared.protocol() == protocol && declared.port() == port) {
                    return true;
                }
            }
            return false;
        }
        if (policyPort.port() == 0) {
            return true;
        }
        final int last = policyPort.endPort() == 0 ? policyPort.port() : policyPort.endPort();
        return port >= policyPort.port() && port <= last;
    }
}
