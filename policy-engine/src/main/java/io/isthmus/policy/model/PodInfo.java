package io.isthmus.policy.model;

import java.util.List;
import java.util.Map;

/**
 * A pod as the policy engine sees it.
 *
 * @param namespace      its namespace
 * @param name           its name
 * @param labels         its labels
 * @param addresses      its pod IPs ({@code status.podIPs}); may be empty (not yet scheduled)
 * @param containerPorts the ports its containers declare (named ports are resolved against them)
 * @param local          true when the pod runs where the tables are enforced (this node; every
 *                       pod for the offline evaluator): only local pods get verdict tables
 */
public record PodInfo(String namespace, String name, Map<String, String> labels, List<IpAddress> addresses,
                      List<ContainerPort> containerPorts, boolean local) {

    public PodInfo {
        labels = Map.copyOf(labels);
        addresses = List.copyOf(addresses);
        containerPorts = List.copyOf(containerPorts);
    }

    /** {@code namespace/name}. */
    public String key() {
        return namespace + "/" + name;
    }

    public PodInfo withLabels(Map<String, String> newLabels) {
        return new PodInfo(namespace, name, newLabels, addresses, containerPorts, local);
    }
}
