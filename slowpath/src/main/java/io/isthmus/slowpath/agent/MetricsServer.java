package io.isthmus.slowpath.agent;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * {@code GET /metrics} on a loopback port (the JDK's HTTP server, one virtual thread per request):
 * Prometheus text from a supplier evaluated per scrape. Loopback only: a node exporter or an
 * agent-local scraper reads it; nothing is exposed beyond the node.
 *
 * <p><b>Thread-safety:</b> start and close from the owner; scrapes run on the server's threads.
 */
public final class MetricsServer implements AutoCloseable {
    public static final int DEFAULT_PORT = 9464;

    private final HttpServer server;

    private MetricsServer(HttpServer server) {
        this.server = server;
    }

    /** Listens on 127.0.0.1:{@code port} (0: any free port); the error names the port when it is taken. */
    public static MetricsServer start(int port, Supplier<String> exposition) throws IOException {
        final HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 16);
        } catch (IOException e) {
            throw new IOException("cannot serve /metrics on 127.0.0.1:" + port + ": " + e.getMessage(), e);
        }
        server.createContext("/metrics", exchange -> answer(exchange, exposition));
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.start();
        return new MetricsServer(server);
    }

    private static void answer(HttpExchange exchange, Supplier<String> exposition) throws IOException {
        try (exchange) {
            if (!exchange.getRequestMethod().equals("GET")) {
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            byte[] body;
            int status = 200;
            try {
                body = exposition.get().getBytes(StandardCharsets.UTF_8);
            } catch (RuntimeException e) {
                body = ("metrics failed: " + e + "\n").getBytes(StandardCharsets.UTF_8);
                status = 500;
            }
            exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
            exchange.sendResponseHeaders(status, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    /** The port it listens on (the chosen one when started with 0). */
    public int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
