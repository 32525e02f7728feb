package io.isthmus.slowpath.k8s;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LoadBalancerIngress;
import io.fabric8.kubernetes.api.model.ServiceSpec;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.isthmus.lb.model.AddressType;
import io.isthmus.lb.model.Endpoint;
import io.isthmus.lb.model.EndpointConditions;
import io.isthmus.lb.model.EndpointPort;
import io.isthmus.lb.model.Protocol;
import io.isthmus.lb.model.ProxyLabels;
import io.isthmus.lb.model.Service;
import io.isthmus.lb.model.ServiceName;
import io.isthmus.lb.model.ServicePort;
import io.isthmus.lb.model.ServiceType;
import io.isthmus.lb.model.SessionAffinity;
import io.isthmus.lb.model.TargetPort;
import io.isthmus.lb.model.TrafficPolicy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.isthmus.slowpath.k8s.ObjectKeys.namespaceOf;

/**
 * Maps fabric8 Services and EndpointSlices onto services-lb's model records
 * ({@link io.isthmus.lb.model.Service}, {@link io.isthmus.lb.model.EndpointSlice}). The only
 * place where the two meet: services-lb never sees a fabric8 type.
 *
 * <p>Problems (an unknown type or protocol, a port out of range, a named targetPort that is empty)
 * are added to the caller's list as sentences naming the field ({@code spec.ports[1].port: ...});
 * the result is then null and the caller keeps the object's last good record. Addresses are
 * passed through as strings: the compiler parses them and skips a bad one with a warning.
 *
 * <p><b>Thread-safety:</b> stateless; any thread.
 */
public final class LbMapper {

    private LbMapper() {
    }

    /** The load balancer's view of a Service; null (with problems) when it cannot be mapped. */
    public static Service service(io.fabric8.kubernetes.api.model.Service object, List<String> problems) {
        final int before = problems.size();
        final ServiceSpec spec = object.getSpec() == null ? new ServiceSpec() : object.getSpec();
        final ServiceType type = serviceType(spec.getType(), problems);
        final List<ServicePort> ports = new ArrayList<>();
        final List<io.fabric8.kubernetes.api.model.ServicePort> declared = nullToEmpty(spec.getPorts());
        for (int i = 0; i < declared.size(); i++) {
            final ServicePort port = port("spec.ports[" + i + "]", declared.get(i), problems);
            if (port != null) {
                ports.add(port);
            }
        }
        final SessionAffinity affinity = "ClientIP".equals(spec.getSessionAffinity()) ? SessionAffinity.CLIENT_IP : SessionAffinity.NONE;
        if (spec.getSessionAffinity() != null && !"ClientIP".equals(spec.getSessionAffinity()) && !"None".equals(spec.getSessionAffinity())) {
            problems.add("spec.sessionAffinity: '" + spec.getSessionAffinity() + "' is not None or ClientIP");
        }
        int timeoutSeconds = 0;
        if (spec.getSessionAffinityConfig() != null && spec.getSessionAffinityConfig().getClientIP() != null
                && spec.getSessionAffinityConfig().getClientIP().getTimeoutSeconds() != null) {
            timeoutSeconds = spec.getSessionAffinityConfig().getClientIP().getTimeoutSeconds();
            if (timeoutSeconds <= 0 || timeoutSeconds > 86_400) {
                problems.add("spec.sessionAffinityConfig.clientIP.timeoutSeconds: " + timeoutSeconds + " is not in 1..86400");
            }
        }
        final TrafficPolicy internal = trafficPolicy("spec.internalTrafficPolicy", spec.getInternalTrafficPolicy(), problems);
        final TrafficPolicy external = trafficPolicy("spec.externalTrafficPolicy", spec.getExternalTrafficPolicy(), problems);
        final int healthCheckNodePort = spec.getHealthCheckNodePort() == null ? 0 : spec.getHealthCheckNodePort();
        if (healthCheckNodePort < 0 || healthCheckNodePort > 65_535) {
            problems.add("spec.healthCheckNodePort: " + healthCheckNodePort + " is not in 0..65535");
        }
        if (problems.size() > before) {
            return null;
        }
        final List<String> clusterIps = spec.getClusterIPs() != null && !spec.getClusterIPs().isEmpty()
                ? spec.getClusterIPs() : spec.getClusterIP() == null || spec.getClusterIP().isEmpty() ? List.of() : List.of(spec.getClusterIP());
        final List<String> loadBalancerIps = new ArrayList<>();
        if (object.getStatus() != null && object.getStatus().getLoadBalancer() != null) {
            for (LoadBalancerIngress ingress : nullToEmpty(object.getStatus().getLoadBalancer().getIngress())) {
                if (ingress.getIp() != null && !ingress.getIp().isEmpty()) {
                    loadBalancerIps.add(ingress.getIp());
                }
            }
        }
        final Map<String, String> selector = spec.getSelector();
        return new Service(new ServiceName(namespaceOf(object.getMetadata().getNamespace()), object.getMetadata().getName()),
                type, clusterIps, ports, nullToEmpty(spec.getExternalIPs()), loadBalancerIps, affinity, timeoutSeconds,
                internal, external, healthCheckNodePort, nullToEmpty(spec.getLoadBalancerSourceRanges()),
                labels(object.getMetadata().getLabels()), selector != null && !selector.isEmpty());
    }

    /** The load balancer's view of an EndpointSlice; null (with problems) when it cannot be mapped. */
    public static io.isthmus.lb.model.EndpointSlice slice(EndpointSlice object, List<String> problems) {
        final int before = problems.size();
        final Map<String, String> labels = labels(object.getMetadata().getLabels());
        final AddressType addressType = switch (String.valueOf(object.getAddressType())) {
            case "IPv4" -> AddressType.IPV4;
            case "IPv6" -> AddressType.IPV6;
            case "FQDN" -> AddressType.FQDN;
            default -> {
                problems.add("addressType: '" + object.getAddressType() + "' is not IPv4, IPv6 or FQDN");
                yield null;
            }
        };
        final List<EndpointPort> ports = new ArrayList<>();
        final List<io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort> declared = nullToEmpty(object.getPorts());
        for (int i = 0; i < declared.size(); i++) {
            final var port = declared.get(i);
            final Protocol protocol = protocol("ports[" + i + "].protocol", port.getProtocol(), problems);
            if (port.getPort() != null && (port.getPort() < 0 || port.getPort() > 65_535)) {
                problems.add("ports[" + i + "].port: " + port.getPort() + " is not in 0..65535");
            }
            ports.add(new EndpointPort(port.getName(), protocol, port.getPort()));
        }
        final List<Endpoint> endpoints = new ArrayList<>();
        for (var endpoint : nullToEmpty(object.getEndpoints())) {
            final var conditions = endpoint.getConditions();
            endpoints.add(new Endpoint(nullToEmpty(endpoint.getAddresses()),
                    conditions == null ? null : new EndpointConditions(conditions.getReady(), conditions.getServing(), conditions.getTerminating()),
                    endpoint.getNodeName()));
        }
        if (problems.size() > before) {
            return null;
        }
        return new io.isthmus.lb.model.EndpointSlice(namespaceOf(object.getMetadata().getNamespace()), object.getMetadata().getName(),
                labels.get(ProxyLabels.SERVICE_NAME), addressType, endpoints, ports, labels);
    }

    private static ServicePort port(String where, io.fabric8.kubernetes.api.model.ServicePort port, List<String> problems) {
        final int before = problems.size();
        final Protocol protocol = protocol(where + ".protocol", port.getProtocol(), problems);
        if (port.getPort() == null || port.getPort() < 1 || port.getPort() > 65_535) {
            problems.add(where + ".port: " + port.getPort() + " is not in 1..65535");
        }
        final int nodePort = port.getNodePort() == null ? 0 : port.getNodePort();
        if (nodePort < 0 || nodePort > 65_535) {
            problems.add(where + ".nodePort: " + nodePort + " is not in 0..65535");
        }
        TargetPort target = null;
        final IntOrString declared = port.getTargetPort();
        if (declared != null && declared.getIntVal() != null) {
            if (declared.getIntVal() < 1 || declared.getIntVal() > 65_535) {
                problems.add(where + ".targetPort: " + declared.getIntVal() + " is not in 1..65535");
            } else {
                target = TargetPort.of(declared.getIntVal());
            }
        } else if (declared != null && declared.getStrVal() != null) {
            if (declared.getStrVal().isEmpty()) {
                problems.add(where + ".targetPort: an empty name");
            } else {
                target = TargetPort.of(declared.getStrVal());
            }
        }
        if (problems.size() > before) {
            return null;
        }
        return new ServicePort(port.getName(), protocol, port.getPort(), target, nodePort);
    }

    private static ServiceType serviceType(String type, List<String> problems) {
        return switch (type == null ? "ClusterIP" : type) {
            case "ClusterIP" -> ServiceType.CLUSTER_IP;
            case "NodePort" -> ServiceType.NODE_PORT;
            case "LoadBalancer" -> ServiceType.LOAD_BALANCER;
            case "ExternalName" -> ServiceType.EXTERNAL_NAME;
            default -> {
                problems.add("spec.type: '" + type + "' is not ClusterIP, NodePort, LoadBalancer or ExternalName");
                yield null;
            }
        };
    }

    private static Protocol protocol(String where, String protocol, List<String> problems) {
        return switch (protocol == null ? "TCP" : protocol) {
            case "TCP" -> Protocol.TCP;
            case "UDP" -> Protocol.UDP;
            case "SCTP" -> Protocol.SCTP;
            default -> {
                problems.add(where + ": '" + protocol + "' is not TCP, UDP or SCTP");
                yield Protocol.TCP;
            }
        };
    }

    private static TrafficPolicy trafficPolicy(String where, String policy, List<String> problems) {
        return switch (policy == null ? "Cluster" : policy) {
            case "Cluster" -> TrafficPolicy.CLUSTER;
            case "Local" -> TrafficPolicy.LOCAL;
            default -> {
                problems.add(where + ": '" + policy + "' is not Cluster or Local");
                yield null;
            }
        };
    }

    private static Map<String, String> labels(Map<String, String> labels) {
        return labels == null ? Map.of() : labels;
    }

    private static <T> List<T> nullToEmpty(List<T> list) {
        return list == null ? List.of() : list;
    }
}
