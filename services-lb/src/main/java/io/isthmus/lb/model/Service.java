package io.isthmus.lb.model;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The fields of a Kubernetes Service that the load balancer needs, as plain values. The slow
 * path maps API objects onto this record; services-lb never sees a Kubernetes client type.
 *
 * <p>Addresses are kept as the API's strings ("None" included) and parsed by the compiler, which
 * reports a bad one by Service name instead of failing the whole compilation.
 *
 * @param clusterIPs              {@code spec.clusterIPs} (one per IP family, dual-stack); empty
 *                                or {@code ["None"]} for a headless Service
 * @param loadBalancerIngressIPs  {@code status.loadBalancer.ingress[].ip}
 * @param affinityTimeoutSeconds  {@code sessionAffinityConfig.clientIP.timeoutSeconds}; 0 means
 *                                the Kubernetes default (10800)
 * @param healthCheckNodePort     {@code spec.healthCheckNodePort}, 0 when none
 * @param loadBalancerSourceRanges {@code spec.loadBalancerSourceRanges} as CIDR strings
 * @param labels                  {@code metadata.labels} (service-proxy-name, headless)
 * @param hasSelector             whether {@code spec.selector} is set (informational: kube-proxy
 *                                treats selectorless Services the same, endpoints come from slices)
 */
public record Service(
        ServiceName serviceName,
        ServiceType type,
        List<String> clusterIPs,
        List<ServicePort> ports,
        List<String> externalIPs,
        List<String> loadBalancerIngressIPs,
        SessionAffinity sessionAffinity,
        int affinityTimeoutSeconds,
        TrafficPolicy internalTrafficPolicy,
        TrafficPolicy externalTrafficPolicy,
        int healthCheckNodePort,
        List<String> loadBalancerSourceRanges,
        Map<String, String> labels,
        boolean hasSelector) {

    /** The literal Kubernetes writes into clusterIP(s) for a headless Service. */
    public static final String CLUSTER_IP_NONE = "None";

    public Service {
        if (serviceName == null) {
            throw new IllegalArgumentException("service without a name");
        }
        type = type == null ? ServiceType.CLUSTER_IP : type;
        clusterIPs = List.copyOf(clusterIPs == null ? List.of() : clusterIPs);
        ports = List.copyOf(ports == null ? List.of() : ports);
        externalIPs = List.copyOf(externalIPs == null ? List.of() : externalIPs);
        loadBalancerIngressIPs = List.copyOf(loadBalancerIngressIPs == null ? List.of() : loadBalancerIngressIPs);
        sessionAffinity = sessionAffinity == null ? SessionAffinity.NONE : sessionAffinity;
        if (affinityTimeoutSeconds < 0 || affinityTimeoutSeconds > 86_400) {
            throw new IllegalArgumentException("service " + serviceName + ": affinity timeout " + affinityTimeoutSeconds + "s out of 0..86400");
        }
        internalTrafficPolicy = internalTrafficPolicy == null ? TrafficPolicy.CLUSTER : internalTrafficPolicy;
        externalTrafficPolicy = externalTrafficPolicy == null ? TrafficPolicy.CLUSTER : externalTrafficPolicy;
        loadBalancerSourceRanges = List.copyOf(loadBalancerSourceRanges == null ? List.of() : loadBalancerSourceRanges);
        labels = Map.copyOf(labels == null ? Map.of() : labels);
    }

    /** Headless: {@code clusterIP: None} (or no cluster IP at all on a non-ExternalName Service). */
    public boolean headless() {
        return clusterIPs.isEmpty() || clusterIPs.contains(CLUSTER_IP_NONE);
    }

    /** The affinity timeout with the Kubernetes default applied. */
    public int effectiveAffinityTimeoutSeconds() {
        return affinityTimeoutSeconds == 0 ? SessionAffinity.DEFAULT_CLIENT_IP_TIMEOUT_SECONDS : affinityTimeoutSeconds;
    }

    public static Builder builder(String namespace, String name) {
        return new Builder(new ServiceName(namespace, name));
    }

    /** Builds a {@link Service} field by field; defaults are those of the Kubernetes API. */
    public static final class Builder {
        private final ServiceName serviceName;
        private ServiceType type = ServiceType.CLUSTER_IP;
        private final List<String> clusterIPs = new ArrayList<>();
        private final List<ServicePort> ports = new ArrayList<>();
        private final List<String> externalIPs = new ArrayList<>();
        private final List<String> loadBalancerIngressIPs = new ArrayList<>();
        private SessionAffinity sessionAffinity = SessionAffinity.NONE;
        private int affinityTimeoutSeconds;
        private TrafficPolicy internalTrafficPolicy = TrafficPolicy.CLUSTER;
        private TrafficPolicy externalTrafficPolicy = TrafficPolicy.CLUSTER;
        private int healthCheckNodePort;
        private final List<String> loadBalancerSourceRanges = new ArrayList<>();
        private final Map<String, String> labels = new LinkedHashMap<>();
        private boolean hasSelector = true;

        private Builder(ServiceName serviceName) {
            this.serviceName = serviceName;
        }

        public Builder type(ServiceType value) { this.type = value; return this; }
        public Builder clusterIPs(String... values) { clusterIPs.addAll(List.of(values)); return this; }
        public Builder port(ServicePort value) { ports.add(value); return this; }
        public Builder port(String name, Protocol protocol, int port) { return port(ServicePort.of(name, protocol, port)); }
        public Builder port(String name, Protocol protocol, int port, int nodePort) {
            return port(new ServicePort(name, protocol, port, TargetPort.of(port), nodePort));
        }
        public Builder externalIPs(String... values) { externalIPs.addAll(List.of(values)); return this; }
        public Builder loadBalancerIngressIPs(String... values) { loadBalancerIngressIPs.addAll(List.of(values)); return this; }
        public Builder sessionAffinityClientIP(int timeoutSeconds) {
            this.sessionAffinity = SessionAffinity.CLIENT_IP;
            this.affinityTimeoutSeconds = timeoutSeconds;
            return this;
        }
        public Builder internalTrafficPolicy(TrafficPolicy value) { this.internalTrafficPolicy = value; return this; }
        public Builder externalTrafficPolicy(TrafficPolicy value) { this.externalTrafficPolicy = value; return this; }
        public Builder healthCheckNodePort(int value) { this.healthCheckNodePort = value; return this; }
        public Builder loadBalancerSourceRanges(String... values) { loadBalancerSourceRanges.addAll(List.of(values)); return this; }
        public Builder label(String key, String value) { labels.put(key, value); return this; }
        public Builder selectorless() { this.hasSelector = false; return this; }

        public Service build() {
            return new Service(serviceName, type, clusterIPs, ports, externalIPs, loadBalancerIngressIPs, sessionAffinity,
                    affinityTimeoutSeconds, internalTrafficPolicy, externalTrafficPolicy, healthCheckNodePort,
                    loadBalancerSourceRanges, labels, hasSelector);
        }
    }
}
