package io.isthmus.dns.zone;

/** How a Service is published in DNS. */
public enum ServiceKind {
    /** Has one or more cluster IPs: A/AAAA to them, SRV to the service name. */
    CLUSTER_IP,
    /** {@code clusterIP: None}: A/AAAA to each ready endpoint, hostname records, per-endpoint SRV. */
    HEADLESS,
    /** {@code type: ExternalName}: a CNAME. */
    EXTERNAL_NAME
}
