package io.isthmus.slowpath.ingress;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A backend pod's HTTP server for tests: answers every request with 200, a header
 * {@code X-Echo-Backend: NAME} and a body of {@code uri URI} and one {@code header NAME: VALUE}
 * line per request header (names lower case), then the request body; chunked when the request
 * has {@code X-Echo-Chunked: 1}.
 */
public final class EchoBackend implements AutoCloseable {
    private final HttpServer server;
    private final String name;
    private final AtomicInteger requests = new AtomicInteger();
    private final java.util.Set<InetSocketAddress> clients = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private EchoBackend(HttpServer server, String name) {
        this.server = server;
        this.name = name;
    }

    /** Starts on {@code address} (port 0: any). The socket lives in the calling thread's network namespace. */
    public static EchoBackend start(String name, InetSocketAddress address) {
        try {
            final HttpServer server = HttpServer.create(address, 64);
            final EchoBackend backend = new EchoBackend(server, name);
            server.createContext("/", backend::answer);
            server.setExecutor(Executors.newFixedThreadPool(2, Thread.ofPlatform().daemon().name("echo-" + name).factory()));
            server.start();
            return backend;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start echo backend " + name + " on " + address, e);
        }
    }

    private void answer(HttpExchange exchange) throws IOException {
        requests.incrementAndGet();
        clients.add(exchange.getRemoteAddress());
        final StringBuilder body = new StringBuilder("uri " + exchange.getRequestURI().toString() + "\n");
        for (Map.Entry<String, List<String>> header : exchange.getRequestHeaders().entrySet()) {
            for (String value : header.getValue()) {
                body.append("header ").append(header.getKey().toLowerCase(java.util.Locale.ROOT)).append(": ").append(value).append('\n');
            }
        }
        final byte[] requestBody = exchange.getRequestBody().readAllBytes();
        final byte[] head = body.toString().getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("X-Echo-Backend", name);
        final boolean chunked = "1".equals(exchange.getRequestHeaders().getFirst("X-Echo-Chunked"));
        exchange.sendResponseHeaders(200, chunked ? 0 : head.length + requestBody.length); // 0: chunked
        exchange.getResponseBody().write(head);
        exchange.getResponseBody().write(requestBody);
        exchange.close();
    }

    public InetSocketAddress address() {
        return server.getAddress();
    }

    public String name() {
        return name;
    }

    public int requests() {
        return requests.get();
    }

    /** How many distinct client connections (address and port) it has served. */
    public int connections() {
        return clients.size();
    }

    @Override
    public void close() {
        server.stop(0);
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }
}
