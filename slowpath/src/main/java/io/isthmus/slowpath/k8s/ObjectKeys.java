package io.isthmus.slowpath.k8s;

import io.fabric8.kubernetes.api.model.HasMetadata;

/**
 * The keys desired records go by: {@code namespace/name} for namespaced objects (an unset
 * namespace reads as {@code default}, as in a manifest applied without {@code -n}), the name for
 * cluster-scoped ones (Namespace, Node).
 *
 * <p><b>Thread-safety:</b> stateless; any thread.
 */
public final class ObjectKeys {
    public static final String DEFAULT_NAMESPACE = "default";

    private ObjectKeys() {
    }

    public static String namespaceOf(String namespace) {
        return namespace == null || namespace.isEmpty() ? DEFAULT_NAMESPACE : namespace;
    }

    /** {@code namespace/name}. */
    public static String namespaced(HasMetadata object) {
        return namespaceOf(object.getMetadata().getNamespace()) + "/" + object.getMetadata().getName();
    }

    /** {@code Kind namespace/name} (or {@code Kind name}), for log lines and problems. */
    public static String describe(HasMetadata object) {
        final String namespace = object.getMetadata().getNamespace();
        return object.getKind() + " " + (namespace == null || namespace.isEmpty() ? "" : namespace + "/") + object.getMetadata().getName();
    }
}
