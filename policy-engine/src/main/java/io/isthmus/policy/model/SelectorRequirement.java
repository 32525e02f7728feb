package io.isthmus.policy.model;

import java.util.List;
import java.util.Map;

/**
 * One {@code matchExpressions} entry. Semantics (API reference, LabelSelectorRequirement and
 * {@code labels.Selector}): In — the key is present and its value is one of {@code values};
 * NotIn — the key is absent, or its value is none of {@code values}; Exists — the key is present;
 * DoesNotExist — the key is absent. In and NotIn need a non-empty {@code values}, Exists and
 * DoesNotExist an empty one ({@link PolicyValidator} checks).
 */
public record SelectorRequirement(String key, SelectorOperator operator, List<String> values) {

    public SelectorRequirement {
        values = List.copyOf(values);
    }

    public boolean matches(Map<String, String> labels) {
        final String value = labels.get(key);
        return switch (operator) {
            case IN -> value != null && values.contains(value);
            case NOT_IN -> value == null || !values.contains(value);
            case EXISTS -> value != null;
            case DOES_NOT_EXIST -> value == null;
        };
    }

    @Override
    public String toString() {
        return key + " " + operator.apiName() + (values.isEmpty() ? "" : " " + values);
    }
}
