package io.isthmus.policy.model;

/**
 * One entry of a rule's {@code ports} (API: {@code NetworkPolicyPort}).
 *
 * @param protocol TCP, UDP or SCTP (the API default is TCP; the mapper applies it)
 * @param port     the port number, or 0 when the port is given by name or not at all
 * @param portName the named container port, or null
 * @param endPort  the last port of a range {@code port..endPort}, or 0 for a single port
 */
public record PolicyPort(Protocol protocol, int port, String portName, int endPort) {

    /** All ports of one protocol. */
    public static PolicyPort allPorts(Protocol protocol) {
        return new PolicyPort(protocol, 0, null, 0);
    }

    public static PolicyPort number(Protocol protocol, int port) {
        return new PolicyPort(protocol, port, null, 0);
    }

    public static PolicyPort range(Protocol protocol, int port, int endPort) {
        return new PolicyPort(protocol, port, null, endPort);
    }

    public static PolicyPort named(Protocol protocol, String portName) {
        return new PolicyPort(protocol, 0, portName, 0);
    }

    @Override
    public String toString() {
        if (portName != null) {
            return portName + "/" + protocol;
        }
        if (port == 0) {
            return "*/" + protocol;
        }
        return (endPort == 0 ? Integer.toString(port) : port + "-" + endPort) + "/" + protocol;
    }
}
