package io.isthmus.slowpath.ingress.controller;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Pod addresses of a Service port, from its EndpointSlices, as ingress-nginx resolves them
 * (the proxy talks to pods directly, not to the ClusterIP).
 *
 * <p>The Ingress names a Service port by number ({@code spec.ports[].port}) or by name; the
 * EndpointSlice ports carry the Service port's name and the pods' target port number. An endpoint
 * is used unless {@code conditions.ready} is false. Only IPv4 and IPv6 slices count.
 */
public final class EndpointIndex {
    static final String SERVICE_NAME_LABEL = "kubernetes.io/service-name";

    private final Map<String, Service> services = new HashMap<>();
    private final Map<String, List<EndpointSlice>> slices = new HashMap<>();

    public EndpointIndex(List<Service> services, List<EndpointSlice> endpointSlices) {
        for (Service service : services) {
            this.services.put(key(service.getMetadata().getNamespace(), service.getMetadata().getName()), service);
        }
        for (EndpointSlice slice : endpointSlices) {
            final Map<String, String> labels = slice.getMetadata().getLabels();
            final String service = labels == null ? null : labels.get(SERVICE_NAME_LABEL);
            if (service != null) {
                this.slices.computeIfAbsent(key(slice.getMetadata().getNamespace(), service), k -> new ArrayList<>()).add(slice);
            }
        }
    }

    /** What resolving a backend found: the addresses (maybe none) and, when none, why. */
    public record Resolution(List<InetSocketAddress> endpoints, String problem) {
    }

    /** The endpoints of {@code namespace/service} port {@code port} (a number or a name as written). */
    public Resolution resolve(String namespace, String service, String port) {
        final Service svc = services.get(key(namespace, service));
        if (svc == null) {
            return new Resolution(List.of(), "Service " + namespace + "/" + service + " not found");
        }
        final ServicePort servicePort = findPort(svc, port);
        if (servicePort == null) {
            return new Resolution(List.of(), "Service " + namespace + "/" + service + " has no port " + port);
        }
        final String portName = servicePort.getName() == null ? "" : servicePort.getName();
        final Set<InetSocketAddress> found = new LinkedHashSet<>();
        for (EndpointSlice slice : slices.getOrDefault(key(namespace, service), List.of())) {
            if (!"IPv4".equals(slice.getAddressType()) && !"IPv6".equals(slice.getAddressType())) {
                continue;
            }
            final Integer number = slicePort(slice, portName);
            if (number == null || slice.getEndpoints() == null) {
                continue;
            }
            for (Endpoint endpoint : slice.getEndpoints()) {
                if (endpoint.getConditions() != null && Boolean.FALSE.equals(endpoint.getConditions().getReady())) {
                    continue;
                }
                for (String address : endpoint.getAddresses() == null ? List.<String>of() : endpoint.getAddresses()) {
                    final InetSocketAddress socketAddress = socketAddress(address, number);
                    if (socketAddress != null) {
                        found.add(socketAddress);
                    }
                }
            }
        }
        return new Resolution(List.copyOf(found), found.isEmpty()
                ? "Service " + namespace + "/" + service + " port " + port + " has no ready endpoints" : null);
    }

    private static ServicePort findPort(Service service, String port) {
        if (service.getSpec() == null || service.getSpec().getPorts() == null) {
            return null;
        }
        final boolean numeric = !port.isEmpty() && port.chars().allMatch(Character::isDigit);
        for (ServicePort candidate : service.getSpec().getPorts()) {
            if (numeric ? Objects.equals(candidate.getPort(), Integer.valueOf(port)) : port.equals(candidate.getName())) {
                if (candidate.getProtocol() == null || "TCP".equals(candidate.getProtocol())) {
                    return candidate;
                }
            }
        }
        return null;
    }

    private static Integer slicePort(EndpointSlice slice, String portName) {
        if (slice.getPorts() == null) {
            return null;
        }
        for (EndpointPort port : slice.getPorts()) {
            final String name = port.getName() == null ? "" : port.getName();
            if (name.equals(portName) && port.getPort() != null && (port.getProtocol() == null || "TCP".equals(port.getProtocol()))) {
                return port.getPort();
            }
        }
        return null;
    }

    private static InetSocketAddress socketAddress(String literal, int port) {
        try {
            return new InetSocketAddress(InetAddress.ofLiteral(literal), port); // never a DNS lookup
        } catch (IllegalArgumentException | NullPointerException e) {
            return null;
        }
    }

    private static String key(String namespace, String name) {
        return (namespace == null ? "default" : namespace) + "/" + name;
    }
}
