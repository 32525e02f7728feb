package io.isthmus.policy.model;

/**
 * One entry of a rule's {@code from} / {@code to} list (API: {@code NetworkPolicyPeer}).
 *
 * <ul>
 *   <li>{@code podSelector} only: pods of the policy's own namespace that match it;</li>
 *   <li>{@code namespaceSelector} only: every pod of every matching namespace ({@code {}}: all
 *       pods of all namespaces, but no address outside the cluster);</li>
 *   <li>both: pods matching {@code podSelector} in namespaces matching {@code namespaceSelector}
 *       (ANDed within one peer; separate peers are ORed);</li>
 *   <li>{@code ipBlock} (alone): addresses in the block.</li>
 * </ul>
 * A null field is "not given", which differs from the empty selector.
 */
public record PolicyPeer(LabelSelector podSelector, LabelSelector namespaceSelector, IpBlock ipBlock) {

    public static PolicyPeer pods(LabelSelector podSelector) {
        return new PolicyPeer(podSelector, null, null);
    }

    public static PolicyPeer namespaces(LabelSelector namespaceSelector) {
        return new PolicyPeer(null, namespaceSelector, null);
    }

    public static PolicyPeer podsInNamespaces(LabelSelector podSelector, LabelSelector namespaceSelector) {
        return new PolicyPeer(podSelector, namespaceSelector, null);
    }

    public static PolicyPeer addresses(IpBlock ipBlock) {
        return new PolicyPeer(null, null, ipBlock);
    }

    /** Whether this peer selects a pod (in {@code podNamespace}, with those labels) for a policy of {@code policyNamespace}. */
    public boolean matchesPod(String policyNamespace, String podNamespace, java.util.Map<String, String> namespaceLabels,
                              java.util.Map<String, String> podLabels) {
        if (ipBlock != null) {
            return false; // ipBlock peers apply to addresses that are not pods (see PolicyPeer and README)
        }
        if (namespaceSelector == null) {
            if (!policyNamespace.equals(podNamespace)) {
                return false;
            }
        } else if (!namespaceSelector.matches(namespaceLabels)) {
            return false;
        }
        return podSelector == null || podSelector.matches(podLabels);
    }

    @Override
    public String toString() {
        if (ipBlock != null) {
            return ipBlock.toString();
        }
        final StringBuilder text = new StringBuilder();
        if (podSelector != null) {
            text.append("podSelector ").append(podSelector);
        }
        if (namespaceSelector != null) {
            text.append(text.isEmpty() ? "" : " and ").append("namespaceSelector ").append(namespaceSelector);
        }
        return text.toString();
    }
}
