package io.isthmus.lb.compile;

import io.isthmus.lb.ip.IpAddress;
import io.isthmus.lb.model.AddressType;
import io.isthmus.lb.model.Endpoint;
import io.isthmus.lb.model.EndpointPort;
import io.isthmus.lb.model.EndpointSlice;
import io.isthmus.lb.model.Protocol;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Merges a Service's EndpointSlices into the endpoints of one service port and IP family, as
 * kube-proxy's EndpointSliceCache does:
 * <ul>
 *   <li>a slice port serves the service port with the same name and protocol; its number is the
 *       backend port for that slice's endpoints (so a named targetPort resolves per endpoint);
 *       ports with a null name or a null/0 number are ignored;</li>
 *   <li>only the first address of an endpoint is used; addresses of the other family are skipped;</li>
 *   <li>the union over all slices, de-duplicated by address:port; when duplicates disagree on
 *       locality, the local one wins;</li>
 *   <li>FQDN slices are ignored.</li>
 * </ul>
 */
final class EndpointCollector {

    private EndpointCollector() {
    }

    static List<CandidateEndpoint> collect(Collection<EndpointSlice> slices, String portName, Protocol protocol,
                                           boolean ipv6, String nodeName, List<String> warnings) {
        Map<String, CandidateEndpoint> byAddressPort = new LinkedHashMap<>();
        for (EndpointSlice slice : slices) {
            if (slice.addressType() == AddressType.FQDN || (slice.addressType() == AddressType.IPV6) != ipv6) {
                continue;
            }
            for (EndpointPort port : slice.ports()) {
                if (port.name() == null || port.port() == null || port.port() == 0) {
                    continue;
                }
                if (!port.name().equals(portName) || port.protocol() != protocol) {
                    continue;
                }
                for (Endpoint endpoint : slice.endpoints()) {
                    add(byAddressPort, slice, endpoint, port.port(), ipv6, nodeName, warnings);
                }
            }
        }
        List<CandidateEndpoint> out = new ArrayList<>(byAddressPort.values());
        out.sort(null);
        return out;
    }

    private static void add(Map<String, CandidateEndpoint> into, EndpointSlice slice, Endpoint endpoint, int port,
                            boolean ipv6, String nodeName, List<String> warnings) {
        if (endpoint.addresses().isEmpty()) {
            return;
        }
        IpAddress address;
        try {
            address = IpAddress.parse(endpoint.addresses().getFirst());
        } catch (IllegalArgumentException e) {
            warnings.add("endpointslice " + slice.namespace() + "/" + slice.name() + ": " + e.getMessage());
            return;
        }
        if (address.isIpv4() == ipv6) {
            return;
        }
        boolean local = endpoint.nodeName() != null && endpoint.nodeName().equals(nodeName);
        var c = endpoint.conditions();
        CandidateEndpoint candidate = new CandidateEndpoint(address, port, c.isReady(), c.isServing(), c.isTerminating(), local);
        String key = address + ":" + port;
        if (!into.containsKey(key) || local) {
            into.put(key, candidate);
        }
    }
}
