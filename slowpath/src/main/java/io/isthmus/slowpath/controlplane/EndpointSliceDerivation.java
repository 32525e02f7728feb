package io.isthmus.slowpath.controlplane;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodIP;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointConditions;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Derives EndpointSlices from Pods the way the Kubernetes endpoint-slice controller does, for
 * the places where no controller runs: {@code isthmus dns serve -f DIR} and the agent's embedded
 * mode ({@code isthmus up}). Pure functions over fabric8 objects; nothing is read from or written
 * to an API server.
 *
 * <p>What it reproduces of the controller ({@code pkg/controller/endpointslice}):
 * <ul>
 *   <li>only Services with a non-empty selector and not of type ExternalName; Pods of the same
 *       namespace whose labels contain every selector pair;</li>
 *   <li>Pods without an IP, or in phase Succeeded or Failed, are left out; a terminating Pod
 *       (deletionTimestamp set) stays, with {@code terminating=true} and {@code ready=false};</li>
 *   <li>{@code ready} = the Pod's Ready condition and not terminating, or always true when the
 *       Service has {@code publishNotReadyAddresses}; {@code serving} = the Ready condition;</li>
 *   <li>{@code hostname} = {@code spec.hostname} when {@code spec.subdomain} is the Service's
 *       name; {@code nodeName}; {@code targetRef} to the Pod (kind, namespace, name, uid);</li>
 *   <li>one slice per address family of the Service ({@code spec.ipFamilies}; for a headless
 *       Service without them, the families its Pods have), address type {@code IPv4}/{@code IPv6};</li>
 *   <li>ports: each Service port with its {@code targetPort} resolved per Pod (a number as is, a
 *       name through the Pod's container ports of the same protocol; a name the Pod does not
 *       declare drops that port for that Pod); Pods with different resolved ports go in different
 *       slices; at most {@link #MAX_ENDPOINTS_PER_SLICE} endpoints per slice.</li>
 * </ul>
 * Not reproduced: topology hints and zones (no Node objects), slice names with random suffixes
 * (ours are {@code <service>-<family>-<n>}, stable), mirroring of selector-less Endpoints.
 *
 * <p>Thread-safety: stateless.
 */
public final class EndpointSliceDerivation {
    /** The controller's default {@code --max-endpoints-per-slice}. */
    public static final int MAX_ENDPOINTS_PER_SLICE = 100;
    public static final String SERVICE_NAME_LABEL = "kubernetes.io/service-name";
    public static final String MANAGED_BY_LABEL = "endpointslice.kubernetes.io/managed-by";
    /** Who we say manages the slices we derive. */
    public static final String MANAGED_BY = "isthmus.io/endpoint-derivation";

    private EndpointSliceDerivation() {
    }

    /**
     * The given slices, plus derived ones for every Service with a selector that has no slice
     * (label {@value #SERVICE_NAME_LABEL}) among them.
     */
    public static List<EndpointSlice> withDerivedSlices(List<Service> services, List<EndpointSlice> slices, List<Pod> pods) {
        final Set<String> covered = new HashSet<>();
        for (EndpointSlice slice : slices) {
            final Map<String, String> labels = slice.getMetadata().getLabels();
            if (labels != null && labels.get(SERVICE_NAME_LABEL) != null) {
                covered.add(namespaceOf(slice.getMetadata().getNamespace()) + "/" + labels.get(SERVICE_NAME_LABEL));
            }
        }
        final List<EndpointSlice> all = new ArrayList<>(slices);
        for (Service service : services) {
            if (!covered.contains(namespaceOf(service.getMetadata().getNamespace()) + "/" + service.getMetadata().getName())) {
                all.addAll(derive(service, pods));
            }
        }
        return all;
    }

    /** The slices of one Service, derived from the Pods (of any namespace: filtered here). Empty without a selector. */
    public static List<EndpointSlice> derive(Service service, List<Pod> pods) {
        final Map<String, String> selector = service.getSpec() == null ? null : service.getSpec().getSelector();
        if (selector == null || selector.isEmpty() || "ExternalName".equals(service.getSpec().getType())) {
            return List.of();
        }
        final String namespace = namespaceOf(service.getMetadata().getNamespace());
        final List<Pod> selected = pods.stream()
                .filter(pod -> namespace.equals(namespaceOf(pod.getMetadata().getNamespace())))
                .filter(pod -> matches(selector, pod.getMetadata().getLabels()))
                .filter(EndpointSliceDerivation::belongsInEndpoints)
                .sorted(Comparator.comparing(pod -> pod.getMetadata().getName()))
                .toList();
        final List<EndpointSlice> slices = new ArrayList<>();
        for (String family : families(service, selected)) {
            // Endpoints grouped by their resolved port list, in order of first appearance.
            final Map<List<EndpointPort>, List<Endpoint>> byPorts = new LinkedHashMap<>();
            for (Pod pod : selected) {
                final String address = addressOf(pod, family);
                if (address != null) {
                    byPorts.computeIfAbsent(resolvePorts(service, pod), k -> new ArrayList<>()).add(endpoint(service, pod, address));
                }
            }
            for (Map.Entry<List<EndpointPort>, List<Endpoint>> group : byPorts.entrySet()) {
                final List<Endpoint> endpoints = group.getValue();
                for (int from = 0; from < endpoints.size(); from += MAX_ENDPOINTS_PER_SLICE) {
                    slices.add(slice(service, family, slices.size(), group.getKey(),
                            endpoints.subList(from, Math.min(endpoints.size(), from + MAX_ENDPOINTS_PER_SLICE))));
                }
            }
        }
        return slices;
    }

    /** {@code podutil.ShouldPodBeInEndpoints} with terminating Pods included: has an IP, not finished. */
    static boolean belongsInEndpoints(Pod pod) {
        if (pod.getStatus() == null) {
            return false;
        }
        final String phase = pod.getStatus().getPhase();
        if ("Succeeded".equals(phase) || "Failed".equals(phase)) {
            return false;
        }
        return !podIps(pod).isEmpty();
    }

    private static boolean matches(Map<String, String> selector, Map<String, String> labels) {
        if (labels == null) {
            return false;
        }
        for (Map.Entry<String, String> pair : selector.entrySet()) {
            if (!Objects.equals(labels.get(pair.getKey()), pair.getValue())) {
                return false;
            }
        }
        return true;
    }

    private static List<String> families(Service service, List<Pod> pods) {
        final List<String> declared = service.getSpec().getIpFamilies();
        if (declared != null && !declared.isEmpty()) {
            return declared;
        }
        final List<String> clusterIps = new ArrayList<>();
        if (service.getSpec().getClusterIPs() != null) {
            clusterIps.addAll(service.getSpec().getClusterIPs());
        } else if (service.getSpec().getClusterIP() != null) {
            clusterIps.add(service.getSpec().getClusterIP());
        }
        final Set<String> families = new java.util.LinkedHashSet<>();
        for (String ip : clusterIps) {
            if (!"None".equals(ip) && !ip.isEmpty()) {
                families.add(familyOf(ip));
            }
        }
        if (families.isEmpty()) { // headless without ipFamilies: whatever the Pods have
            for (Pod pod : pods) {
                podIps(pod).forEach(ip -> families.add(familyOf(ip)));
            }
        }
        return families.isEmpty() ? List.of("IPv4") : List.copyOf(families);
    }

    private static String familyOf(String ip) {
        return ip.contains(":") ? "IPv6" : "IPv4";
    }

    /** {@code status.podIPs}, or {@code status.podIP} when the list is absent. */
    public static List<String> podIps(Pod pod) {
        final List<String> ips = new ArrayList<>();
        final List<PodIP> podIps = pod.getStatus().getPodIPs();
        if (podIps != null) {
            podIps.stream().map(PodIP::getIp).filter(ip -> ip != null && !ip.isEmpty()).forEach(ips::add);
        }
        if (ips.isEmpty() && pod.getStatus().getPodIP() != null && !pod.getStatus().getPodIP().isEmpty()) {
            ips.add(pod.getStatus().getPodIP());
        }
        return ips;
    }

    private static String addressOf(Pod pod, String family) {
        return podIps(pod).stream().filter(ip -> familyOf(ip).equals(family)).findFirst().orElse(null);
    }

    /** The Pod's Ready condition is True. */
    public static boolean isPodReady(Pod pod) {
        if (pod.getStatus() == null || pod.getStatus().getConditions() == null) {
            return false;
        }
        for (PodCondition condition : pod.getStatus().getConditions()) {
            if ("Ready".equals(condition.getType())) {
                return "True".equals(condition.getStatus());
            }
        }
        return false;
    }

    private static Endpoint endpoint(Service service, Pod pod, String address) {
        final boolean terminating = pod.getMetadata().getDeletionTimestamp() != null;
        final boolean podReady = isPodReady(pod);
        final boolean publishNotReady = Boolean.TRUE.equals(service.getSpec().getPublishNotReadyAddresses());
        final EndpointBuilder endpoint = new EndpointBuilder()
                .withAddresses(address)
                .withConditions(new EndpointConditions(publishNotReady || (podReady && !terminating), podReady, terminating))
                .withNodeName(pod.getSpec() == null ? null : pod.getSpec().getNodeName())
                .withTargetRef(new ObjectReferenceBuilder().withKind("Pod").withNamespace(namespaceOf(pod.getMetadata().getNamespace()))
                        .withName(pod.getMetadata().getName()).withUid(pod.getMetadata().getUid()).build());
        if (pod.getSpec() != null && pod.getSpec().getHostname() != null && !pod.getSpec().getHostname().isEmpty()
                && service.getMetadata().getName().equals(pod.getSpec().getSubdomain())) {
            endpoint.withHostname(pod.getSpec().getHostname());
        }
        return endpoint.build();
    }

    /** The Service's ports with their target ports resolved against this Pod; unresolvable named ports are left out. */
    static List<EndpointPort> resolvePorts(Service service, Pod pod) {
        final List<EndpointPort> ports = new ArrayList<>();
        if (service.getSpec().getPorts() == null) {
            return ports;
        }
        for (ServicePort port : service.getSpec().getPorts()) {
            final String protocol = port.getProtocol() == null ? "TCP" : port.getProtocol();
            final Integer number = targetPort(port, protocol, pod);
            if (number != null) {
                ports.add(new EndpointPort(port.getAppProtocol(), port.getName() == null ? "" : port.getName(), number, protocol));
            }
        }
        return ports;
    }

    private static Integer targetPort(ServicePort port, String protocol, Pod pod) {
        final IntOrString target = port.getTargetPort();
        if (target == null || (target.getIntVal() == null && target.getStrVal() == null)) {
            return port.getPort();
        }
        if (target.getIntVal() != null) {
            return target.getIntVal();
        }
        if (pod.getSpec() == null || pod.getSpec().getContainers() == null) {
            return null;
        }
        for (Container container : pod.getSpec().getContainers()) {
            if (container.getPorts() == null) {
                continue;
            }
            for (ContainerPort containerPort : container.getPorts()) {
                final String containerProtocol = containerPort.getProtocol() == null ? "TCP" : containerPort.getProtocol();
                if (target.getStrVal().equals(containerPort.getName()) && protocol.equals(containerProtocol)) {
                    return containerPort.getContainerPort();
                }
            }
        }
        return null;
    }

    private static EndpointSlice slice(Service service, String family, int index, List<EndpointPort> ports, List<Endpoint> endpoints) {
        final String serviceName = service.getMetadata().getName();
        return new EndpointSliceBuilder()
                .withMetadata(new ObjectMetaBuilder()
                        .withName(serviceName + "-" + family.toLowerCase(java.util.Locale.ROOT) + "-" + index)
                        .withNamespace(namespaceOf(service.getMetadata().getNamespace()))
                        .addToLabels(SERVICE_NAME_LABEL, serviceName)
                        .addToLabels(MANAGED_BY_LABEL, MANAGED_BY)
                        .build())
                .withAddressType(family)
                .withPorts(ports)
                .withEndpoints(List.copyOf(endpoints))
                .build();
    }

    /** The namespace of an object read from a manifest: {@code default} when unset. */
    public static String namespaceOf(String namespace) {
        return namespace == null || namespace.isEmpty() ? "default" : namespace;
    }
}
