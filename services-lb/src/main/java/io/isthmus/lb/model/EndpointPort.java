package io.isthmus.lb.model;

/**
 * One entry of {@code EndpointSlice.ports}: the Service port it serves (by name and protocol) and
 * the backend port number, already resolved from a named targetPort by the EndpointSlice
 * controller for the endpoints of this slice.
 *
 * @param name  the Service port name; null is ignored (as kube-proxy does), "" matches an unnamed port
 * @param port  the backend port; null or 0 is ignored (as kube-proxy does)
 */
public record EndpointPort(String name, Protocol protocol, Integer port) {

    public EndpointPort {
        protocol = protocol == null ? Protocol.TCP : protocol;
    }

    public static EndpointPort of(String name, Protocol protocol, int port) {
        return new EndpointPort(name, protocol, port);
    }
}
