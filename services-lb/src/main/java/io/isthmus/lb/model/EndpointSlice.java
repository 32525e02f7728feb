package io.isthmus.lb.model;

import java.util.List;
import java.util.Map;

/**
 * The fields of a {@code discovery.k8s.io/v1} EndpointSlice that the load balancer needs.
 *
 * @param serviceName  the owning Service's name, from label {@code kubernetes.io/service-name};
 *                     slices without it are ignored
 * @param labels       the slice's labels ({@code service.kubernetes.io/headless} and
 *                     {@code service.kubernetes.io/service-proxy-name} are honoured)
 */
public record EndpointSlice(
        String namespace,
        String name,
        String serviceName,
        AddressType addressType,
        List<Endpoint> endpoints,
        List<EndpointPort> ports,
        Map<String, String> labels) {

    public EndpointSlice {
        if (namespace == null || name == null) {
            throw new IllegalArgumentException("endpoint slice without namespace/name: " + namespace + "/" + name);
        }
        addressType = addressType == null ? AddressType.IPV4 : addressType;
        endpoints = List.copyOf(endpoints == null ? List.of() : endpoints);
        ports = List.copyOf(ports == null ? List.of() : ports);
        labels = Map.copyOf(labels == null ? Map.of() : labels);
    }

    public static EndpointSlice of(String namespace, String name, String serviceName, AddressType addressType,
                                   List<Endpoint> endpoints, List<EndpointPort> ports) {
        return new EndpointSlice(namespace, name, serviceName, addressType, endpoints, ports, Map.of());
    }
}
