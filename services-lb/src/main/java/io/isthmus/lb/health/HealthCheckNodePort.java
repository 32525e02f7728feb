package io.isthmus.lb.health;

import io.isthmus.lb.model.ServiceName;

/**
 * Kube-proxy's health-check node port answer (pkg/proxy/healthcheck/service_health.go): cloud
 * load balancers probe {@code healthCheckNodePort} on every node of an externalTrafficPolicy
 * Local Service and send traffic only to nodes answering 200. 200 when the node has at least one
 * local ready endpoint and the proxy is healthy, else 503. The HTTP server is the slow path's.
 */
public final class HealthCheckNodePort {

    public static final int OK = 200;
    public static final int SERVICE_UNAVAILABLE = 503;

    private HealthCheckNodePort() {
    }

    public static HealthCheckResponse respond(int localEndpoints, boolean proxyHealthy) {
        if (localEndpoints < 0) {
            throw new IllegalArgumentException("local endpoint count " + localEndpoints + " < 0");
        }
        return new HealthCheckResponse(localEndpoints > 0 && proxyHealthy ? OK : SERVICE_UNAVAILABLE, localEndpoints);
    }

    /** The JSON body kube-proxy sends with the status. */
    public static String body(ServiceName service, int localEndpoints, boolean proxyHealthy) {
        return "{\"service\":{\"namespace\":\"" + service.namespace() + "\",\"name\":\"" + service.name()
                + "\"},\"localEndpoints\":" + localEndpoints + ",\"serviceProxyHealthy\":" + proxyHealthy + "}";
    }
}
