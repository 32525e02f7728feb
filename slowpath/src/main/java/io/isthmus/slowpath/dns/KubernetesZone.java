package io.isthmus.slowpath.dns;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.isthmus.dns.zone.EndpointRecord;
import io.isthmus.dns.zone.EndpointSliceRecord;
import io.isthmus.dns.zone.PodRecord;
import io.isthmus.dns.zone.ServicePort;
import io.isthmus.dns.zone.ServiceRecord;
import io.isthmus.dns.zone.Zone;
import io.isthmus.dns.zone.ZoneBuilder;
import io.isthmus.dns.zone.ZoneSettings;
import io.isthmus.slowpath.controlplane.EndpointSliceDerivation;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

import static io.isthmus.slowpath.controlplane.EndpointSliceDerivation.namespaceOf;

/**
 * Maps fabric8 Services, EndpointSlices and Pods onto the dns-responder's records and builds the
 * zone. EndpointSlices are used as given; a Service with a selector and no slice gets slices
 * derived from its Pods ({@link EndpointSliceDerivation}). Objects that cannot be mapped (an
 * unparsable IP, a slice without its service-name label) are skipped and explained in
 * {@link Result#problems()}, together with the zone builder's warnings.
 *
 * <p>Thread-safety: stateless.
 */
public final class KubernetesZone {

    private KubernetesZone() {
    }

    /** The zone and what could not be published (each naming the object and the reason). */
    public record Result(Zone zone, List<String> problems) {
    }

    public static Result build(ZoneSettings settings, List<Service> services, List<EndpointSlice> slices, List<Pod> pods) {
        final List<String> problems = new ArrayList<>();
        final ZoneBuilder builder = new ZoneBuilder(settings);
        for (Service service : services) {
            final ServiceRecord record = service(service, problems);
            if (record != null) {
                builder.addService(record);
            }
        }
        for (EndpointSlice slice : EndpointSliceDerivation.withDerivedSlices(services, slices, pods)) {
            final EndpointSliceRecord record = slice(slice, problems);
            if (record != null) {
                builder.addEndpointSlice(record);
            }
        }
        for (Pod pod : pods) {
            if (pod.getStatus() != null && pod.getSpec() != null) {
                builder.addPod(new PodRecord(namespaceOf(pod.getMetadata().getNamespace()), pod.getMetadata().getName(),
                        addresses(EndpointSliceDerivation.podIps(pod), "Pod " + describe(pod.getMetadata().getNamespace(), pod.getMetadata().getName()), problems),
                        pod.getSpec().getHostname(), pod.getSpec().getSubdomain(), EndpointSliceDerivation.isPodReady(pod)));
            }
        }
        final Zone zone = builder.build();
        problems.addAll(zone.warnings());
        return new Result(zone, problems);
    }

    static ServiceRecord service(Service service, List<String> problems) {
        final String namespace = namespaceOf(service.getMetadata().getNamespace());
        final String name = service.getMetadata().getName();
        final String what = "Service " + describe(namespace, name);
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
        return new ServiceRecord(namespace, name, io.isthmus.dns.zone.ServiceKind.CLUSTER_IP, addresses(clusterIps, what, problems),
                ports, "", false);
    }

    static EndpointSliceRecord slice(EndpointSlice slice, List<String> problems) {
        final String namespace = namespaceOf(slice.getMetadata().getNamespace());
        final String what = "EndpointSlice " + describe(namespace, slice.getMetadata().getName());
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

    private static String describe(String namespace, String name) {
        return namespaceOf(namespace) + "/" + name;
    }
}
