package io.isthmus.lb.model;

/** {@code spec.sessionAffinity}: None or ClientIP. */
public enum SessionAffinity {
    NONE,
    CLIENT_IP;

    /** Kubernetes' default {@code sessionAffinityConfig.clientIP.timeoutSeconds}: 3 hours. */
    public static final int DEFAULT_CLIENT_IP_TIMEOUT_SECONDS = 10_800;
}
