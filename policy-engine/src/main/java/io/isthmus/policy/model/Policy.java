package io.isthmus.policy.model;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * A NetworkPolicy as the policy engine sees it.
 *
 * @param namespace   the policy's namespace (it selects pods only there)
 * @param name        its name
 * @param podSelector the pods it applies to ({@code {}}: every pod of the namespace)
 * @param types       the effective {@code policyTypes} (see {@link #effectiveTypes})
 * @param ingress     the ingress rules (empty with INGRESS in {@code types}: deny all ingress)
 * @param egress      the egress rules (empty with EGRESS in {@code types}: deny all egress)
 */
public record Policy(String namespace, String name, LabelSelector podSelector, Set<Direction> types,
                     List<PolicyRule> ingress, List<PolicyRule> egress) {

    public Policy {
        types = types.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(types));
        ingress = List.copyOf(ingress);
        egress = List.copyOf(egress);
    }

    /**
     * The policyTypes the API server fills in when none are given (API reference,
     * NetworkPolicySpec.policyTypes): "If this field is not specified, it will default based on
     * the existence of ingress or egress rules; policies that contain an egress section are
     * assumed to affect egress, and all policies (whether or not they contain an ingress section)
     * are assumed to affect ingress."
     */
    public static Set<Direction> effectiveTypes(List<Direction> declared, boolean hasEgressRules) {
        if (declared != null && !declared.isEmpty()) {
            return EnumSet.copyOf(declared);
        }
        return hasEgressRules ? EnumSet.of(Direction.INGRESS, Direction.EGRESS) : EnumSet.of(Direction.INGRESS);
    }

    /** {@code namespace/name}. */
    public String key() {
        return namespace + "/" + name;
    }

    public List<PolicyRule> rules(Direction direction) {
        return direction == Direction.INGRESS ? ingress : egress;
    }

    /** Whether this policy applies to a pod of {@code podNamespace} with {@code podLabels}. */
    public boolean selects(String podNamespace, java.util.Map<String, String> podLabels) {
        return namespace.equals(podNamespace) && podSelector.matches(podLabels);
    }
}
