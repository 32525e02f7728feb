package io.isthmus.lb.model;

/**
 * One entry of {@code Service.spec.ports}.
 *
 * @param name       the port name; "" when the Service has a single unnamed port. EndpointSlice
 *                   ports are matched to it by this name and the protocol.
 * @param nodePort   the allocated node port, 0 when none (ClusterIP Services, or
 *                   {@code allocateLoadBalancerNodePorts: false})
 */
public record ServicePort(String name, Protocol protocol, int port, TargetPort targetPort, int nodePort) {

    public ServicePort {
        name = name == null ? "" : name;
        if (protocol == null) {
            throw new IllegalArgumentException("service port '" + name + "': protocol missing");
        }
        if (port < 1 || port > 65_535) {
            throw new IllegalArgumentException("service port '" + name + "': port " + port + " out of 1..65535");
        }
        if (nodePort < 0 || nodePort > 65_535) {
            throw new IllegalArgumentException("service port '" + name + "': nodePort " + nodePort + " out of 0..65535");
        }
        targetPort = targetPort == null ? TargetPort.of(port) : targetPort;
    }

    public static ServicePort of(String name, Protocol protocol, int port) {
        return new ServicePort(name, protocol, port, TargetPort.of(port), 0);
    }
}
