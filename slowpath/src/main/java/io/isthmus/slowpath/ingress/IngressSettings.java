package io.isthmus.slowpath.ingress;

/**
 * How the Ingress controller and its proxy run.
 *
 * @param controller         the {@code spec.controller} value of IngressClasses that Isthmus serves
 * @param bindAddress        the address the proxy listens on ({@code 0.0.0.0}: every address of the node)
 * @param httpPort           the HTTP port (0: any free port, for tests; -1: no HTTP listener)
 * @param httpsPort          the HTTPS port (0: any free port; -1: no HTTPS listener)
 * @param threads            event-loop threads (0: one per core)
 * @param statusAddress      the node's address written into {@code status.loadBalancer} of served
 *                           Ingresses (an IP or a host name); null: status is not written
 * @param connectTimeoutMs   how long a connection to a backend pod may take before the request gets 502
 * @param responseTimeoutMs  how long a backend may take to answer before the request gets 504
 * @param maxBodyBytes       the largest request body relayed (read whole before it is sent on; above: 413);
 *                           responses stream and have no limit
 * @param maxIdlePerEndpoint idle keep-alive connections kept per backend pod and event loop
 */
public record IngressSettings(String controller, String bindAddress, int httpPort, int httpsPort, int threads,
                              String statusAddress, int connectTimeoutMs, long responseTimeoutMs, int maxBodyBytes,
                              int maxIdlePerEndpoint) {
    public static final String DEFAULT_CONTROLLER = "isthmus.io/ingress-controller";

    /** Ports 80 and 443 on every address, one thread per core, no status. */
    public static IngressSettings defaults() {
        return new IngressSettings(DEFAULT_CONTROLLER, "0.0.0.0", 80, 443, 0, null, 5_000, 60_000, 16 << 20, 64);
    }

    public IngressSettings withController(String value) {
        return new IngressSettings(value, bindAddress, httpPort, httpsPort, threads, statusAddress, connectTimeoutMs,
                responseTimeoutMs, maxBodyBytes, maxIdlePerEndpoint);
    }

    public IngressSettings withPorts(String bind, int http, int https) {
        return new IngressSettings(controller, bind, http, https, threads, statusAddress, connectTimeoutMs,
                responseTimeoutMs, maxBodyBytes, maxIdlePerEndpoint);
    }

    public IngressSettings withThreads(int value) {
        return new IngressSettings(controller, bindAddress, httpPort, httpsPort, value, statusAddress, connectTimeoutMs,
                responseTimeoutMs, maxBodyBytes, maxIdlePerEndpoint);
    }

    public IngressSettings withStatusAddress(String value) {
        return new IngressSettings(controller, bindAddress, httpPort, httpsPort, threads, value, connectTimeoutMs,
                responseTimeoutMs, maxBodyBytes, maxIdlePerEndpoint);
    }

    public IngressSettings withTimeouts(int connectMs, long responseMs) {
        return new IngressSettings(controller, bindAddress, httpPort, httpsPort, threads, statusAddress, connectMs,
                responseMs, maxBodyBytes, maxIdlePerEndpoint);
    }
}
