package io.isthmus.lb.model;

/** {@code spec.internalTrafficPolicy} / {@code spec.externalTrafficPolicy}. Kubernetes defaults both to CLUSTER. */
public enum TrafficPolicy {
    CLUSTER,
    LOCAL
}
