package io.isthmus.slowpath.agent.health;

import io.isthmus.lb.compile.HealthCheckService;
import io.isthmus.lb.model.ServiceName;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The health-check node ports with a real HTTP client on loopback. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HealthCheckServersTest {
    private final AtomicBoolean proxyHealthy = new AtomicBoolean(true);
    private final HealthCheckServers servers = new HealthCheckServers(InetAddress.getLoopbackAddress(), proxyHealthy::get);
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @AfterEach
    void close() {
        servers.close();
        client.close();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private HttpResponse<String> get(int port, String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private void update(HealthCheckService... checks) throws Exception {
        servers.update(List.of(checks)).get(10, TimeUnit.SECONDS);
    }

    @Test
    void answersLikeKubeProxy_200WithLocalEndpoints503WithoutOrWhenTheProxyIsUnhealthy() throws Exception {
        final int port = freePort();
        final ServiceName web = new ServiceName("shop", "web");
        update(new HealthCheckService(web, port, 2));
        final HttpResponse<String> ok = get(port, "/healthz");
        assertEquals(200, ok.statusCode());
        assertEquals("{\"service\":{\"namespace\":\"shop\",\"name\":\"web\"},\"localEndpoints\":2,\"serviceProxyHealthy\":true}", ok.body());
        assertEquals("application/json", ok.headers().firstValue("Content-Type").orElseThrow());
        assertEquals("nosniff", ok.headers().firstValue("X-Content-Type-Options").orElseThrow());
        assertEquals("2", ok.headers().firstValue("X-Load-Balancing-Endpoint-Weight").orElseThrow());

        update(new HealthCheckService(web, port, 0)); // the last local endpoint went away: the same server, a new count
        final HttpResponse<String> drained = get(port, "/");
        assertEquals(503, drained.statusCode());
        assertEquals("{\"service\":{\"namespace\":\"shop\",\"name\":\"web\"},\"localEndpoints\":0,\"serviceProxyHealthy\":true}", drained.body());

        update(new HealthCheckService(web, port, 1));
        proxyHealthy.set(false);
        final HttpResponse<String> unhealthy = get(port, "/");
        assertEquals(503, unhealthy.statusCode());
        assertTrue(unhealthy.body().contains("\"localEndpoints\":1,\"serviceProxyHealthy\":false"), unhealthy.body());
    }

    @Test
    void serversAreOpenedAndClosedAsServicesComeAndGo() throws Exception {
        final int first = freePort();
        final int second = freePort();
        update(new HealthCheckService(new ServiceName("default", "a"), first, 1),
                new HealthCheckService(new ServiceName("default", "b"), second, 1));
        assertEquals(Set.of(first, second), servers.openPorts());
        assertEquals(200, get(second, "/").statusCode());

        update(new HealthCheckService(new ServiceName("default", "b"), second, 1));
        assertEquals(Set.of(second), servers.openPorts());
        assertThrows(ConnectException.class, () -> get(first, "/"), "the port of the deleted Service is closed");
        assertEquals(200, get(second, "/").statusCode());

        update();
        assertEquals(Set.of(), servers.openPorts());
        assertThrows(ConnectException.class, () -> get(second, "/"));
    }

    @Test
    void aPortInUseIsReportedAndTheOthersAreServed() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            final int free = freePort();
            update(new HealthCheckService(new ServiceName("default", "blocked"), taken.getLocalPort(), 1),
                    new HealthCheckService(new ServiceName("default", "fine"), free, 1));
            assertEquals(Set.of(free), servers.openPorts());
            assertEquals(1, servers.bindFailures().size());
            assertTrue(servers.bindFailures().getFirst().contains(":" + taken.getLocalPort() + " of Service default/blocked"),
                    servers.bindFailures().getFirst());
            assertEquals(200, get(free, "/").statusCode());
        }
    }
}
