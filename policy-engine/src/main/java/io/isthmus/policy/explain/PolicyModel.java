package io.isthmus.policy.explain;

import io.isthmus.policy.model.IpAddress;
import io.isthmus.policy.model.NamespaceInfo;
import io.isthmus.policy.model.PodInfo;
import io.isthmus.policy.model.Policy;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Everything the explainer reads: the objects as declared, not compiled.
 *
 * @param namespaces    namespaces by name (a pod's namespace that is missing here has only the
 *                      automatic name label)
 * @param pods          every pod
 * @param policies      every policy (valid ones only)
 * @param nodeAddresses this node's own addresses
 */
public record PolicyModel(Map<String, NamespaceInfo> namespaces, List<PodInfo> pods, List<Policy> policies,
                          Set<IpAddress> nodeAddresses) {

    public PolicyModel {
        namespaces = Map.copyOf(namespaces);
        pods = List.copyOf(pods);
        policies = List.copyOf(policies);
        nodeAddresses = Set.copyOf(nodeAddresses);
    }

    public Map<String, String> namespaceLabels(String namespace) {
        final NamespaceInfo info = namespaces.get(namespace);
        return (info != null ? info : NamespaceInfo.of(namespace, Map.of())).labels();
    }

    /** The endpoint an address stands for: the pod that has it, else the bare address. */
    public Endpoint endpointOf(IpAddress address) {
        for (PodInfo pod : pods) {
            if (pod.addresses().contains(address)) {
                return new Endpoint.Pod(pod);
            }
        }
        return new Endpoint.Address(address);
    }
}
