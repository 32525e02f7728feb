package io.isthmus.dns.zone;

/**
 * A named or unnamed port: of a Service (its {@code port}) or of an EndpointSlice (the port on
 * the endpoints). Only named ports get SRV records.
 *
 * @param name     the port name, or empty when unnamed
 * @param protocol {@code TCP}, {@code UDP} or {@code SCTP} (any case)
 * @param port     1..65535
 */
public record ServicePort(String name, String protocol, int port) {
    public ServicePort {
        name = name == null ? "" : name;
        protocol = protocol == null || protocol.isEmpty() ? "TCP" : protocol;
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " outside 1..65535");
        }
    }
}
