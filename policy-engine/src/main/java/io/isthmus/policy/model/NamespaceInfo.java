package io.isthmus.policy.model;

import java.util.Map;

/** A namespace as the policy engine sees it: its name and its labels. */
public record NamespaceInfo(String name, Map<String, String> labels) {

    /** The label the API server puts on every namespace (since Kubernetes 1.21): its own name. */
    public static final String NAME_LABEL = "kubernetes.io/metadata.name";

    public NamespaceInfo {
        labels = Map.copyOf(labels);
    }

    /**
     * A namespace with {@code labels} plus the automatic {@value #NAME_LABEL} label, as the API
     * server stores it. Also what a namespace that was never declared looks like.
     */
    public static NamespaceInfo of(String name, Map<String, String> labels) {
        final java.util.Map<String, String> all = new java.util.HashMap<>(labels);
        all.put(NAME_LABEL, name);
        return new NamespaceInfo(name, all);
    }
}
