package io.isthmus.policy.model;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A Kubernetes label selector: every {@code matchLabels} pair and every {@code matchExpressions}
 * requirement must hold (they are ANDed). The empty selector {@code {}} matches everything.
 */
public record LabelSelector(Map<String, String> matchLabels, List<SelectorRequirement> matchExpressions) {

    /** {@code {}}: selects every object. */
    public static final LabelSelector ALL = new LabelSelector(Map.of(), List.of());

    public LabelSelector {
        matchLabels = Map.copyOf(matchLabels);
        matchExpressions = List.copyOf(matchExpressions);
    }

    public static LabelSelector ofLabels(Map<String, String> matchLabels) {
        return new LabelSelector(matchLabels, List.of());
    }

    public boolean matches(Map<String, String> labels) {
        for (Map.Entry<String, String> pair : matchLabels.entrySet()) {
            if (!pair.getValue().equals(labels.get(pair.getKey()))) {
                return false;
            }
        }
        for (SelectorRequirement requirement : matchExpressions) {
            if (!requirement.matches(labels)) {
                return false;
            }
        }
        return true;
    }

    public boolean isEmpty() {
        return matchLabels.isEmpty() && matchExpressions.isEmpty();
    }

    @Override
    public String toString() {
        if (isEmpty()) {
            return "{}";
        }
        final StringBuilder text = new StringBuilder("{");
        new TreeMap<>(matchLabels).forEach((k, v) -> text.append(text.length() > 1 ? ", " : "").append(k).append('=').append(v));
        for (SelectorRequirement requirement : matchExpressions) {
            text.append(text.length() > 1 ? ", " : "").append(requirement);
        }
        return text.append('}').toString();
    }
}
