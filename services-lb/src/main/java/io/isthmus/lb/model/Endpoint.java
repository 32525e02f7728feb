package io.isthmus.lb.model;

import java.util.List;

/**
 * One entry of {@code EndpointSlice.endpoints}.
 *
 * @param addresses  the endpoint's addresses as API strings; like kube-proxy, only the first is used
 * @param nodeName   the node hosting the endpoint, null when unknown (then never "local")
 */
public record Endpoint(List<String> addresses, EndpointConditions conditions, String nodeName) {

    public Endpoint {
        addresses = List.copyOf(addresses == null ? List.of() : addresses);
        conditions = conditions == null ? new EndpointConditions(null, null, null) : conditions;
    }

    public static Endpoint of(String address, EndpointConditions conditions, String nodeName) {
        return new Endpoint(List.of(address), conditions, nodeName);
    }
}
