package io.isthmus.policy.compile;

import io.isthmus.policy.model.Cidr;
import io.isthmus.policy.model.ContainerPort;
import io.isthmus.policy.model.IpAddress;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What an identity stands for. Two remote ends with equal keys are indistinguishable to every
 * policy, so they share one identity number and one verdict table.
 */
public sealed interface IdentityKey {

    /** The identity's kind, as stored per identity in {@link PolicySnapshot}. */
    byte kind();

    /** Stable, readable text (used in dumps, so also in the incremental = full comparison). */
    String describe();

    byte KIND_POD = 1;
    byte KIND_CIDR = 2;
    byte KIND_WORLD = 3;
    byte KIND_HOST = 4;

    /**
     * Pods: namespace, namespace labels, pod labels and the pod's named container ports. The named
     * ports are part of the key because an egress rule's named port is resolved against the
     * remote pod (API: NetworkPolicyPort.port), so two pods with equal labels but different named
     * ports must not share egress verdicts. Pods of one workload share all four.
     */
    record Pod(String namespace, Map<String, String> namespaceLabels, Map<String, String> podLabels,
               List<ContainerPort> namedPorts) implements IdentityKey {
        public Pod {
            namespaceLabels = Map.copyOf(namespaceLabels);
            podLabels = Map.copyOf(podLabels);
            namedPorts = List.copyOf(namedPorts);
        }

        @Override
        public byte kind() {
            return KIND_POD;
        }

        @Override
        public String describe() {
            final Map<String, String> nsLabels = new TreeMap<>(namespaceLabels);
            nsLabels.remove(io.isthmus.policy.model.NamespaceInfo.NAME_LABEL);
            return "pod " + namespace + (nsLabels.isEmpty() ? "" : nsLabels.toString()) + " " + new TreeMap<>(podLabels)
                    + (namedPorts.isEmpty() ? "" : " ports" + namedPorts.stream().map(p -> p.name() + "=" + p.port() + "/" + p.protocol()).toList());
        }
    }

    /** External addresses whose longest matching ipBlock prefix (cidr or except) is {@code prefix}. */
    record CidrClass(Cidr prefix) implements IdentityKey {
        @Override
        public byte kind() {
            return KIND_CIDR;
        }

        @Override
        public String describe() {
            return "cidr " + prefix;
        }
    }

    /** External addresses that no ipBlock prefix contains, per family. */
    record World(boolean ipv6) implements IdentityKey {
        @Override
        public byte kind() {
            return KIND_WORLD;
        }

        @Override
        public String describe() {
            return ipv6 ? "world6" : "world4";
        }
    }

    /** One address of this node: connections from it into a local pod are always allowed. */
    record Host(IpAddress address) implements IdentityKey {
        @Override
        public byte kind() {
            return KIND_HOST;
        }

        @Override
        public String describe() {
            return "host " + address;
        }
    }
}
