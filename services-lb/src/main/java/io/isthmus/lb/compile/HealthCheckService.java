package io.isthmus.lb.compile;

import io.isthmus.lb.model.ServiceName;

/**
 * A Service that needs a health-check node port (type LoadBalancer with externalTrafficPolicy
 * Local), with the count kube-proxy reports on it: the local endpoints that are ready (a node
 * whose local endpoints are all terminating answers 503 so load balancers drain it).
 */
public record HealthCheckService(ServiceName service, int healthCheckNodePort, int localReadyEndpoints) {
}
