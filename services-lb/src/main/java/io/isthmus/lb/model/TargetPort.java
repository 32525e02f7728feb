package io.isthmus.lb.model;

/**
 * {@code ServicePort.targetPort}: a number, or the name of a container port.
 *
 * <p>Kube-proxy does not read it: the EndpointSlice controller resolves it per Pod and writes the
 * number into each EndpointSlice's ports, so a named target port can map to different numbers on
 * different endpoints. The compiler follows kube-proxy and takes backend ports from the
 * EndpointSlices; this field is kept so the model mirrors the API object.
 */
public sealed interface TargetPort {

    record Number(int port) implements TargetPort {
        public Number {
            if (port < 1 || port > 65_535) {
                throw new IllegalArgumentException("targetPort " + port + " out of 1..65535");
            }
        }
    }

    record Named(String name) implements TargetPort {
        public Named {
            if (name == null || name.isEmpty()) {
                throw new IllegalArgumentException("named targetPort must not be empty");
            }
        }
    }

    static TargetPort of(int port) {
        return new Number(port);
    }

    static TargetPort of(String name) {
        return new Named(name);
    }
}
