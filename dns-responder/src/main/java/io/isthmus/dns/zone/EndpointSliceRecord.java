package io.isthmus.dns.zone;

import java.util.List;

/**
 * One EndpointSlice, already tied to its Service (label {@code kubernetes.io/service-name}).
 * A Service may have several slices; the zone merges them.
 *
 * @param namespace   the namespace of the slice and of the Service
 * @param serviceName the owning Service
 * @param ports       the slice's ports (endpoint-side port numbers)
 * @param endpoints   the endpoints
 */
public record EndpointSliceRecord(String namespace, String serviceName, List<ServicePort> ports, List<EndpointRecord> endpoints) {
    public EndpointSliceRecord {
        ports = List.copyOf(ports);
        endpoints = List.copyOf(endpoints);
    }
}
