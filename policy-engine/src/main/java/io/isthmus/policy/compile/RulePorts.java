package io.isthmus.policy.compile;

import io.isthmus.policy.model.ContainerPort;
import io.isthmus.policy.model.PolicyPort;
import io.isthmus.policy.model.PolicyRule;
import io.isthmus.policy.model.Protocol;

import java.util.Arrays;
import java.util.List;

/**
 * The ports a rule allows, as one interned port set per protocol index (TCP, UDP, SCTP, other).
 *
 * <p><b>Thread-safety:</b> used by the compiler's thread only (it writes the pool).
 */
final class RulePorts {
    private final PortSetPool pool;

    RulePorts(PortSetPool pool) {
        this.pool = pool;
    }

    /**
     * The rule's numbered ports and ranges, plus its named ports resolved against
     * {@code namedPorts} when given (ingress: the selected pod's own ports). A rule without ports
     * allows every port of every protocol.
     */
    int[] portSets(PolicyRule rule, List<ContainerPort> namedPorts) {
        final int[] sets = new int[Protocol.COUNT];
        if (rule.ports().isEmpty()) {
            Arrays.fill(sets, PortSetPool.ALL);
            return sets;
        }
        for (PolicyPort port : rule.ports()) {
            final int p = port.protocol().index();
            if (port.portName() != null) {
                if (namedPorts != null) {
                    sets[p] = pool.union(sets[p], resolveNamed(port, namedPorts));
                }
            } else if (port.port() == 0) {
                sets[p] = PortSetPool.ALL;
            } else {
                sets[p] = pool.union(sets[p], pool.of(port.port(), port.endPort() == 0 ? port.port() : port.endPort()));
            }
        }
        return sets;
    }

    /** Only the named ports of a rule, resolved against the destination pod's {@code namedPorts} (egress: the remote pod). */
    int[] namedOnly(PolicyRule rule, List<ContainerPort> namedPorts) {
        final int[] sets = new int[Protocol.COUNT];
        for (PolicyPort port : rule.ports()) {
            if (port.portName() != null) {
                final int p = port.protocol().index();
                sets[p] = pool.union(sets[p], resolveNamed(port, namedPorts));
            }
        }
        return sets;
    }

    /** API: a named port matches the destination pod's container ports with that name and protocol; none: nothing. */
    private int resolveNamed(PolicyPort port, List<ContainerPort> namedPorts) {
        int set = PortSetPool.NONE;
        for (ContainerPort candidate : namedPorts) {
            if (candidate.name().equals(port.portName()) && candidate.protocol() == port.protocol()) {
                set = pool.union(set, pool.of(candidate.port(), candidate.port()));
            }
        }
        return set;
    }
}
