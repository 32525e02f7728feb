package io.isthmus.slowpath.ingress.match;

/**
 * A Service backend as an Ingress names it: namespace, Service name, and the port as written
 * (a number such as {@code 80} or a port name such as {@code http}).
 */
public record BackendRef(String namespace, String service, String port) {

    /** {@code NAMESPACE/SERVICE:PORT}, what {@code isthmus ingress route} prints. */
    @Override
    public String toString() {
        return namespace + "/" + service + ":" + port;
    }
}
