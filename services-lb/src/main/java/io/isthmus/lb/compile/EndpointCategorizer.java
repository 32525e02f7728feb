package io.isthmus.lb.compile;

import java.util.List;
import java.util.function.Predicate;

/**
 * Kube-proxy's endpoint choice (pkg/proxy/topology.go, CategorizeEndpoints), without topology
 * hints:
 * <ul>
 *   <li>cluster set: the ready endpoints; if none is ready anywhere, the serving and terminating
 *       ones (KEP-1669); never one with serving=false;</li>
 *   <li>local set, chosen independently: the ready local endpoints; if none, the serving and
 *       terminating local ones.</li>
 * </ul>
 * An empty cluster set means the Service has no usable endpoint anywhere (its frontends REJECT).
 */
final class EndpointCategorizer {

    record Sets(List<CandidateEndpoint> cluster, List<CandidateEndpoint> local) {
    }

    private EndpointCategorizer() {
    }

    static Sets categorize(List<CandidateEndpoint> endpoints) {
        List<CandidateEndpoint> cluster = usable(endpoints, e -> true);
        List<CandidateEndpoint> local = usable(endpoints, CandidateEndpoint::local);
        return new Sets(cluster, local);
    }

    private static List<CandidateEndpoint> usable(List<CandidateEndpoint> endpoints, Predicate<CandidateEndpoint> scope) {
        List<CandidateEndpoint> ready = endpoints.stream().filter(scope).filter(CandidateEndpoint::ready).toList();
        if (!ready.isEmpty()) {
            return ready;
        }
        return endpoints.stream().filter(scope).filter(e -> e.serving() && e.terminating()).toList();
    }
}
