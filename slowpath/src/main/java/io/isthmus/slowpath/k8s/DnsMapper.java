package io.isthmus.slowpath.k8s;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.isthmus.dns.zone.EndpointRecord;
import io.isthmus.dns.zone.EndpointSliceRecord;
import io.isthmus.dns.zone.PodRecord;
import io.isthmus.dns.zone.ServiceKind;
import io.isthmus.dns.zone.ServicePort;
import io.isthmus.dns.zone.ServiceRecord;
import io.isthmus.slowpath.controlplane.EndpointSliceDerivation;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

import static io.isthmus.slowpath.k8s.ObjectKeys.namespaceOf;

/**
 * Maps fabric8 Services, EndpointSlices and Pods onto dns-responder's records. Shared by the
 * offline zone ({@code isthmus dns serve -f DIR}) and the reconciler, so both publish the same
 * names for the same objects.
 *
 * <p>An object that cannot be published at all (no spec, no service-name label, an FQDN slice)
 * gives null; a bad address is skipped. Either way a sentence naming the object and the reason is
 * added to the caller's list.
 *
 * <p><b>Thread-safety:</b> stateless; any thread.
 */
public final class DnsMapper {

    private DnsMapper() {
    }

    public static ServiceRecord service(Service service, List<String> problems) {
        final String namespace = namespaceOf(service.getMetadata().getNamespace());
        final String name = service.getMetadata().getName();
        final String what = "Service " + namespace + "/" + name;
        if (service.getSpec() == null) {
            problems.add(what + ": no spec, not published");
            return null;
        }
        final var spec = service.getSpec();
        final List<ServicePort> ports = new ArrayList<>();
        if (spec.getPorts() != null) {
            for (io.fabric8.kubernetes.api.model.ServicePort port : spec.getPorts()) {
                if (port.getPort() == null || port.getPort() < 1 || port.getPort() > 65535) {
                    problems.add(what + ": port " + port.getName() + " has no valid number, skipped");
                    continue;
                }
                ports.add(new ServicePort(port.getName(), port.getProtocol(), port.getPort()));
            }
        }
        if ("ExternalName".equals(spec.getType())) {
            return ServiceRecord.externalName(namespace, name, spec.getExternalName());
        }
        final List<String> clusterIps = spec.getClusterIPs() != null && !spec.getClusterIPs().isEmpty()
                ? spec.getClusterIPs() : spec.getClusterIP() == null ? List.of() : List.of(spec.getClusterIP());
        if (clusterIps.isEmpty() || "None".equals(clusterIps.getFirst())) {
            return ServiceRecord.headless(namespace, name, ports, Boolean.TRUE.equals(spec.getPublishNotReadyAddresses()));
        }
        return new ServiceRecord(namespace, name, ServiceKind.CLUSTER_IP, addresses(clusterIps, what, problems), ports, "", false);
    }

    public static EndpointSliceRecord slice(EndpointSlice slice, List<String> problems) {
        final String namespace = namespaceOf(slice.getMetadata().getNamespace());
        final String what = "EndpointSlice " + namespace + "/" + slice.getMetadata().getName();
        final String serviceName = slice.getMetadata().getLabels() == null ? null
                : slice.getMetadata().getLabels().get(EndpointSliceDerivation.SERVICE_NAME_LABEL);
        if (serviceName == null) {
            problems.add(what + ": no label " + EndpointSliceDerivation.SERVICE_NAME_LABEL + ", ignored");
            return null;
        }
        if ("FQDN".equals(slice.getAddressType())) {
            problems.add(what + ": address type FQDN is not published");
            return null;
        }
        final List<ServicePort> ports = new ArrayList<>();
        if (slice.getPorts() != null) {
            for (var port : slice.getPorts()) {
                if (port.getPort() != null && port.getPort() >= 1 && port.getPort() <= 65535) {
                    ports.add(new ServicePort(port.getName(), port.getProtocol(), port.getPort()));
                }
            }
        }
        final List<EndpointRecord> endpoints = new ArrayList<>();
        if (slice.getEndpoints() != null) {
            for (Endpoint endpoint : slice.getEndpoints()) {
                // An unset ready condition means ready (the API's documented reading of "unknown").
                final boolean ready = endpoint.getConditions() == null || endpoint.getConditions().getReady() == null
                        || endpoint.getConditions().getReady();
                endpoints.add(new EndpointRecord(addresses(endpoint.getAddresses() == null ? List.of() : endpoint.getAddresses(), what, problems),
                        endpoint.getHostname(), ready));
            }
        }
        return new EndpointSliceRecord(namespace, serviceName, ports, endpoints);
    }

    /** A Pod's record (its addresses, hostname and subdomain); null for a Pod without spec or status yet. */
    public static PodRecord pod(Pod pod, List<String> problems) {
        if (pod.getStatus() == null || pod.getSpec() == null) {
            return null;
        }
        final String namespace = namespaceOf(pod.getMetadata().getNamespace());
        return new PodRecord(namespace, pod.getMetadata().getName(),
                addresses(EndpointSliceDerivation.podIps(pod), "Pod " + namespace + "/" + pod.getMetadata().getName(), problems),
                pod.getSpec().getHostname(), pod.getSpec().getSubdomain(), EndpointSliceDerivation.isPodReady(pod));
    }

    private static List<InetAddress> addresses(List<String> literals, String what, List<String> problems) {
        final List<InetAddress> addresses = new ArrayList<>();
        for (String literal : literals) {
            try {
                addresses.add(InetAddress.ofLiteral(literal));
            } catch (IllegalArgumentException e) {
                problems.add(what + ": '" + literal + "' is not an IP address, skipped");
            }
        }
        return addresses;
    }
}
