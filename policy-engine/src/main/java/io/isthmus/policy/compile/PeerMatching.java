package io.isthmus.policy.compile;

import io.isthmus.policy.model.Cidr;
import io.isthmus.policy.model.Direction;
import io.isthmus.policy.model.Policy;
import io.isthmus.policy.model.PolicyPeer;
import io.isthmus.policy.model.PolicyPort;
import io.isthmus.policy.model.PolicyRule;

/**
 * Whether a policy's peers match a remote identity, by the identity's key (the compiler never
 * looks at individual pods or addresses once they are grouped).
 *
 * <p><b>Thread-safety:</b> stateless.
 */
final class PeerMatching {
    private PeerMatching() {
    }

    /** Whether {@code peer} of {@code policy} matches every pod / address of identity {@code remote}. */
    static boolean matches(Policy policy, PolicyPeer peer, IdentityKey remote) {
        return switch (remote) {
            case IdentityKey.Pod pod -> peer.matchesPod(policy.namespace(), pod.namespace(), pod.namespaceLabels(), pod.podLabels());
            case IdentityKey.CidrClass cidr -> peer.ipBlock() != null && peer.ipBlock().matchesPrefix(cidr.prefix());
            case IdentityKey.Host host -> peer.ipBlock() != null && peer.ipBlock().matchesPrefix(Cidr.host(host.address()));
            case IdentityKey.World world -> false; // every ipBlock cidr is itself a known prefix: world is outside all
        };
    }

    /**
     * Whether some rule of {@code policy} can give {@code remote} an entry of its own in the tables
     * of the identities the policy selects: a peer matches it, or an egress rule without peers
     * has named ports (which resolve per remote pod).
     */
    static boolean canGiveEntries(Policy policy, IdentityKey remote) {
        for (Direction direction : policy.types()) {
            for (PolicyRule rule : policy.rules(direction)) {
                if (rule.peers().isEmpty()) {
                    if (direction == Direction.EGRESS && remote.kind() == IdentityKey.KIND_POD && hasNamedPort(rule)) {
                        return true;
                    }
                    continue;
                }
                for (PolicyPeer peer : rule.peers()) {
                    if (matches(policy, peer, remote)) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    static boolean hasNamedPort(PolicyRule rule) {
        for (PolicyPort port : rule.ports()) {
            if (port.portName() != null) {
                return true;
            }
        }
        return false;
    }
}
