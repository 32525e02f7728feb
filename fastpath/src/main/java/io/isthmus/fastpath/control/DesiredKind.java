package io.isthmus.fastpath.control;

/**
 * The kinds of desired-state records the slow path sends to the fast path, each with the Java type
 * of its payload (a plain record of one table library; no Kubernetes client type crosses this line).
 *
 * <p>One Kubernetes object can give several records: a Service gives {@link #LB_SERVICE} and
 * {@link #DNS_SERVICE}; an EndpointSlice {@link #LB_ENDPOINT_SLICE} and {@link #DNS_ENDPOINT_SLICE};
 * a Pod {@link #POLICY_POD} and {@link #DNS_POD}. Keys are {@code namespace/name} (a Namespace: its name).
 */
public enum DesiredKind {
    LB_SERVICE(io.isthmus.lb.model.Service.class),
    LB_ENDPOINT_SLICE(io.isthmus.lb.model.EndpointSlice.class),
    POLICY_NAMESPACE(io.isthmus.policy.model.NamespaceInfo.class),
    POLICY_POD(io.isthmus.policy.model.PodInfo.class),
    POLICY(io.isthmus.policy.model.Policy.class),
    DNS_SERVICE(io.isthmus.dns.zone.ServiceRecord.class),
    DNS_ENDPOINT_SLICE(io.isthmus.dns.zone.EndpointSliceRecord.class),
    DNS_POD(io.isthmus.dns.zone.PodRecord.class);

    private final Class<?> payloadType;

    DesiredKind(Class<?> payloadType) {
        this.payloadType = payloadType;
    }

    public Class<?> payloadType() {
        return payloadType;
    }
}
