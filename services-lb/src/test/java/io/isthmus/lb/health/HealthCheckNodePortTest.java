package io.isthmus.lb.health;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.isthmus.lb.model.ServiceName;
import org.junit.jupiter.api.Test;

/** pkg/proxy/healthcheck/service_health.go: 200 iff local endpoints != 0 and the proxy is healthy. */
class HealthCheckNodePortTest {

    @Test
    void okWithLocalEndpoints() {
        assertEquals(new HealthCheckResponse(200, 2), HealthCheckNodePort.respond(2, true));
    }

    @Test
    void unavailableWithoutLocalEndpointsSoTheLoadBalancerSkipsThisNode() {
        assertEquals(new HealthCheckResponse(503, 0), HealthCheckNodePort.respond(0, true));
    }

    @Test
    void unavailableWhenTheProxyIsUnhealthyEvenWithEndpoints() {
        assertEquals(new HealthCheckResponse(503, 3), HealthCheckNodePort.respond(3, false));
    }

    @Test
    void bodyNamesTheServiceAndCount() {
        assertEquals("{\"service\":{\"namespace\":\"web\",\"name\":\"front\"},\"localEndpoints\":1,\"serviceProxyHealthy\":true}",
                HealthCheckNodePort.body(new ServiceName("web", "front"), 1, true));
    }
}
