package io.isthmus.lb.model;

/** Kubernetes {@code Service.spec.type}. */
public enum ServiceType {
    CLUSTER_IP,
    NODE_PORT,
    LOAD_BALANCER,
    EXTERNAL_NAME
}
