package io.isthmus.lb.health;

/** What a health-check node port answers: the HTTP status and the local endpoint count it reports. */
public record HealthCheckResponse(int httpStatus, int localEndpoints) {
}
