package io.isthmus.slowpath.agent.health;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.isthmus.lb.compile.HealthCheckService;
import io.isthmus.lb.health.HealthCheckNodePort;
import io.isthmus.lb.health.HealthCheckResponse;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * The health-check node port servers of one node: {@link #accept} is given the list of every
 * Service compilation ({@code Compilation.healthChecks()}) and opens a server for each new port,
 * closes the ones no longer listed, and updates the counts the others report. Every path of a
 * server answers like kube-proxy: {@code 200} when the Service has local ready endpoints and the
 * proxy is healthy, else {@code 503}; headers {@code Content-Type: application/json},
 * {@code X-Content-Type-Options: nosniff}, {@code X-Load-Balancing-Endpoint-Weight: <count>}; the
 * body of {@link HealthCheckNodePort#body}.
 *
 * <pre>
 *   control agent ──accept(list)──▶ (hand-off) one "health-check" thread: open / update / close
 *   load balancer ──GET :port/──▶ HttpServer ──▶ current HealthCheckService ──▶ 200 | 503 + JSON
 * </pre>
 *
 * A port that cannot be bound (in use) is reported on stderr and in {@link #bindFailures()}, and
 * tried again at the next list; two Services naming one port: the first in the list is served.
 *
 * <p><b>Thread-safety:</b> {@link #accept} from any thread (it only queues the list; the fast
 * path's control agent calls it and must not block); servers are opened and closed on this
 * object's own thread; each served Service is an {@link AtomicReference} the HTTP threads read.
 * {@link #close} from the owner, once.
 */
public final class HealthCheckServers implements Consumer<List<HealthCheckService>>, AutoCloseable {
    private static final System.Logger LOG = System.getLogger(HealthCheckServers.class.getName());
    private final InetAddress bindAddress;
    private final BooleanSupplier proxyHealthy;
    private final ExecutorService changes = Executors.newSingleThreadExecutor(runnable -> {
        final Thread thread = new Thread(runnable, "isthmus-health-check-ports");
        thread.setDaemon(true);
        return thread;
    });
    private final Map<Integer, Served> served = new HashMap<>(); // on the changes thread only
    private final AtomicReference<Set<Integer>> openPorts = new AtomicReference<>(Set.of());
    private final AtomicReference<List<String>> bindFailures = new AtomicReference<>(List.of());

    private record Served(HttpServer server, AtomicReference<HealthCheckService> service) {
    }

    /**
     * @param bindAddress  where the ports are opened: the node address (kube-proxy's
     *                     {@code nodePortAddresses}), or the wildcard address
     * @param proxyHealthy whether the proxy is healthy (e.g. the fast path's worker has not failed)
     */
    public HealthCheckServers(InetAddress bindAddress, BooleanSupplier proxyHealthy) {
        this.bindAddress = bindAddress;
        this.proxyHealthy = proxyHealthy;
    }

    /** Queues the health checks of a compilation; returns at once. */
    @Override
    public void accept(List<HealthCheckService> healthChecks) {
        update(healthChecks);
    }

    /** As {@link #accept}, completing once the servers match {@code healthChecks}. */
    public CompletableFuture<Void> update(List<HealthCheckService> healthChecks) {
        final List<HealthCheckService> wanted = List.copyOf(healthChecks);
        try {
            return CompletableFuture.runAsync(() -> apply(wanted), changes);
        } catch (java.util.concurrent.RejectedExecutionException closed) { // a last compilation while the agent stops
            return CompletableFuture.completedFuture(null);
        }
    }

    private void apply(List<HealthCheckService> wanted) {
        final Map<Integer, HealthCheckService> byPort = new HashMap<>();
        for (HealthCheckService check : wanted) {
            byPort.putIfAbsent(check.healthCheckNodePort(), check);
        }
        served.entrySet().removeIf(entry -> {
            if (byPort.containsKey(entry.getKey())) {
                return false;
            }
            entry.getValue().server().stop(0);
            return true;
        });
        final List<String> failures = new java.util.ArrayList<>();
        for (Map.Entry<Integer, HealthCheckService> entry : byPort.entrySet()) {
            final Served existing = served.get(entry.getKey());
            if (existing != null) {
                existing.service().set(entry.getValue());
                continue;
            }
            try {
                served.put(entry.getKey(), open(entry.getKey(), entry.getValue()));
            } catch (IOException e) {
                final String failure = "health-check node port " + bindAddress.getHostAddress() + ":" + entry.getKey()
                        + " of Service " + entry.getValue().service() + ": " + e.getMessage();
                failures.add(failure);
                LOG.log(System.Logger.Level.WARNING, "cannot serve " + failure);
            }
        }
        bindFailures.set(List.copyOf(failures));
        openPorts.set(Set.copyOf(new TreeSet<>(served.keySet())));
    }

    private Served open(int port, HealthCheckService service) throws IOException {
        final HttpServer server = HttpServer.create(new InetSocketAddress(bindAddress, port), 16);
        final AtomicReference<HealthCheckService> current = new AtomicReference<>(service);
        server.createContext("/", exchange -> answer(exchange, current.get()));
        server.start();
        return new Served(server, current);
    }

    private void answer(HttpExchange exchange, HealthCheckService service) throws IOException {
        try (exchange) {
            final boolean healthy = proxyHealthy.getAsBoolean();
            final HealthCheckResponse response = HealthCheckNodePort.respond(service.localReadyEndpoints(), healthy);
            final byte[] body = HealthCheckNodePort.body(service.service(), service.localReadyEndpoints(), healthy)
                    .getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
            exchange.getResponseHeaders().set("X-Load-Balancing-Endpoint-Weight", Integer.toString(response.localEndpoints()));
            exchange.sendResponseHeaders(response.httpStatus(), body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    /** The ports served now. */
    public Set<Integer> openPorts() {
        return openPorts.get();
    }

    /** Why ports of the last list could not be opened (empty when all were). */
    public List<String> bindFailures() {
        return bindFailures.get();
    }

    /** Closes every server and the changes thread (waits up to 5 s for a change under way). */
    @Override
    public void close() {
        try {
            CompletableFuture.runAsync(() -> {
                served.values().forEach(s -> s.server().stop(0));
                served.clear();
                openPorts.set(Set.of());
            }, changes).get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.log(System.Logger.Level.WARNING, "closing the health-check node ports failed", e);
        } finally {
            changes.shutdownNow();
        }
    }
}
