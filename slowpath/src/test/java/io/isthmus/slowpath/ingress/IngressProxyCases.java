package io.isthmus.slowpath.ingress;

import io.isthmus.slowpath.ingress.controller.CompiledIngresses;
import io.isthmus.slowpath.ingress.controller.IngressClassPolicy;
import io.isthmus.slowpath.ingress.controller.IngressCompiler;
import io.isthmus.slowpath.ingress.match.BackendRef;
import io.isthmus.slowpath.ingress.proxy.IngressProxy;
import io.isthmus.slowpath.ingress.tls.CertificateStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The matching cases and the failure answers through the real proxy, to echo backends that the
 * subclass places (on loopback, or in pod network namespaces). The proxy listens on loopback.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class IngressProxyCases {
    static final int RESPONSE_TIMEOUT_MS = 4_000;
    private final List<AutoCloseable> resources = new ArrayList<>();
    private final Map<String, EchoBackend> backends = new LinkedHashMap<>();
    private IngressProxy proxy;
    private InetSocketAddress proxyAddress;

    /** Starts the echo backend {@code name} where the subclass wants it; registers it for closing. */
    protected abstract EchoBackend startBackend(String name, int index) throws Exception;

    /** An address where nothing listens (connection refused), for the 502 case. */
    protected abstract InetSocketAddress deadEndpoint();

    /** A listening socket that never answers (registered for closing), for the 504 case. */
    protected abstract InetSocketAddress silentEndpoint() throws Exception;

    /** A {@link OneAnswerBackend} (registered for closing), for the retry case. */
    protected abstract InetSocketAddress oneAnswerEndpoint() throws Exception;

    protected void closeLater(AutoCloseable resource) {
        resources.add(resource);
    }

    /** The proxy under test (the default transport; a subclass may choose another). */
    protected IngressProxy startProxy(IngressSettings settings) {
        return IngressProxy.start(settings);
    }

    /** The running proxy. */
    protected IngressProxy proxy() {
        return proxy;
    }

    /** Runs first, before any backend starts (the pods of the namespace variant). */
    protected void prepare() throws Exception {
    }

    @BeforeAll
    void startProxyAndBackends() throws Exception {
        prepare();
        final Map<BackendRef, List<InetSocketAddress>> endpoints = new LinkedHashMap<>();
        int index = 0;
        for (BackendRef ref : EchoCluster.refs(IngressCases.all())) {
            switch (ref.service()) {
                case "down" -> endpoints.put(ref, List.of(deadEndpoint()));
                case "empty" -> endpoints.put(ref, List.of());
                case "slow" -> endpoints.put(ref, List.of(silentEndpoint()));
                case "one-answer" -> endpoints.put(ref, List.of(oneAnswerEndpoint()));
                default -> {
                    final EchoBackend backend = startBackend(ref.toString(), index++);
                    closeLater(backend);
                    backends.put(ref.toString(), backend);
                    endpoints.put(ref, List.of(backend.address()));
                }
            }
        }
        final CompiledIngresses compiled = IngressCompiler.compile(EchoCluster.inputs(IngressCases.directory(), endpoints, List.of()),
                IngressClassPolicy.of(IngressCases.CONTROLLER, EchoCluster.inputs(IngressCases.directory(), Map.of(), List.of()).ingressClasses()));
        proxy = startProxy(IngressSettings.defaults().withPorts("127.0.0.1", 0, -1).withThreads(2).withTimeouts(2_000, RESPONSE_TIMEOUT_MS));
        proxy.publish(compiled.routes(), CertificateStore.empty());
        proxyAddress = new InetSocketAddress("127.0.0.1", proxy.httpPort());
    }

    @AfterAll
    void stop() throws Exception {
        if (proxy != null) {
            proxy.close();
        }
        for (AutoCloseable resource : resources.reversed()) {
            resource.close();
        }
    }

    static List<IngressCases> cases() {
        return IngressCases.all().stream().filter(c -> !c.host().endsWith(".example.net")).toList();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void routesThroughTheProxy(IngressCases c) {
        try (RawHttp http = RawHttp.connect(proxyAddress)) {
            final RawHttp.Response response = http.get(c.host(), c.target());
            if (c.expected().equals("404")) {
                assertEquals(404, response.status(), response.body());
                assertEquals(null, response.header("x-echo-backend"));
            } else {
                assertEquals(200, response.status(), response.body());
                assertEquals(c.expected(), response.header("x-echo-backend"));
                assertTrue(response.body().startsWith("uri " + c.upstream() + "\n"), response.body());
            }
        }
    }

    @Test
    void forwardedHeadersAreAddedAndKeepAliveCarriesManyRequests() {
        try (RawHttp http = RawHttp.connect(proxyAddress)) {
            for (int i = 0; i < 5; i++) {
                final RawHttp.Response response = http.exchange("GET /api/" + i + " HTTP/1.1\r\nHost: shop.example.com\r\n"
                        + "X-Forwarded-For: 203.0.113.9\r\nConnection: keep-alive, X-Drop-Me\r\nX-Drop-Me: 1\r\n\r\n");
                assertEquals(200, response.status(), response.body());
                assertTrue(response.body().contains("header x-forwarded-for: 203.0.113.9, 127.0.0.1\n"), response.body());
                assertTrue(response.body().contains("header x-forwarded-proto: http\n"), response.body());
                assertTrue(response.body().contains("header host: shop.example.com\n"), response.body());
                assertTrue(!response.body().contains("x-drop-me"), "a header named in Connection is hop-by-hop: " + response.body());
            }
        }
    }

    @Test
    void backendConnectionsAreKeptAliveAndReused() {
        final EchoBackend login = backends.get("default/login:80");
        final int before = login.connections();
        for (int client = 0; client < 3; client++) {
            try (RawHttp http = RawHttp.connect(proxyAddress)) {
                for (int i = 0; i < 10; i++) {
                    assertEquals(200, http.get("shop.example.com", "/login").status());
                }
            }
        }
        assertTrue(login.connections() - before <= 2, "30 requests from 3 clients over at most one new backend connection per event loop, saw "
                + (login.connections() - before));
    }

    @Test
    void socketsHaveTheAddressFamilyTheTransportGivesThem() throws IOException {
        final EchoBackend login = backends.get("default/login:80");
        try (RawHttp http = RawHttp.connect(proxyAddress)) {
            assertEquals(200, http.get("shop.example.com", "/login").status()); // leaves a pooled backend connection
        }
        final int proxyPort = proxy.httpPort();
        final int backendPort = login.address().getPort();
        if (proxy.transport().startsWith("epoll")) { // IPv4 addresses get IPv4 sockets, as nginx opens them
            assertTrue(hasSocket("/proc/net/tcp", proxyPort, -1, "0A"), "the listener on 127.0.0.1:" + proxyPort + " is an IPv4 socket");
            assertTrue(!hasSocket("/proc/net/tcp6", proxyPort, -1, "0A"), "no IPv6 listener on port " + proxyPort);
            assertTrue(hasSocket("/proc/net/tcp", -1, backendPort, "01"), "the pooled connection to " + login.address() + " is an IPv4 socket");
            assertTrue(!hasSocket("/proc/net/tcp6", -1, backendPort, "01"), "no IPv6 connection to port " + backendPort);
        } else { // io_uring: Netty's channels take no address family, so dual-stack IPv6 sockets (IPv4-mapped)
            assertEquals("io_uring", proxy.transport());
            assertTrue(hasSocket("/proc/net/tcp6", proxyPort, -1, "0A"), "the listener on port " + proxyPort + " is a dual-stack IPv6 socket");
            assertTrue(hasSocket("/proc/net/tcp6", -1, backendPort, "01"), "the pooled connection to " + login.address() + " is an IPv4-mapped IPv6 socket");
        }
    }

    /** Whether {@code table} (/proc/net/tcp or tcp6) lists a socket in state {@code state} with that local or remote port (-1: any). */
    private static boolean hasSocket(String table, int localPort, int remotePort, String state) throws IOException {
        final List<String> lines = Files.readAllLines(Path.of(table));
        for (String line : lines.subList(1, lines.size())) { // after the column titles
            final String[] fields = line.strip().split("\\s+");
            final int local = Integer.parseInt(fields[1].substring(fields[1].indexOf(':') + 1), 16);
            final int remote = Integer.parseInt(fields[2].substring(fields[2].indexOf(':') + 1), 16);
            if (fields[3].equals(state) && (localPort < 0 || local == localPort) && (remotePort < 0 || remote == remotePort)) {
                return true;
            }
        }
        return false;
    }

    @Test
    void aRequestBodyIsRelayed() {
        try (RawHttp http = RawHttp.connect(proxyAddress)) {
            final RawHttp.Response response = http.exchange("POST /api/orders HTTP/1.1\r\nHost: shop.example.com\r\n"
                    + "Content-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n");
            assertEquals(200, response.status(), response.body());
            assertTrue(response.body().endsWith("hello world"), response.body());
            assertTrue(response.body().contains("header content-length: 11\n"), response.body());
        }
    }

    @Test
    void aBodyAfterBodylessRequestsOnOneConnectionIsRelayedWhole() {
        // Bodyless requests pass without an aggregator; the first body on the connection brings one in.
        try (RawHttp http = RawHttp.connect(proxyAddress)) {
            assertEquals(200, http.get("shop.example.com", "/api").status());
            for (String body : new String[]{"first body", "second, longer body"}) {
                final RawHttp.Response response = http.exchange("POST /api/orders HTTP/1.1\r\nHost: shop.example.com\r\n"
                        + "Content-Length: " + body.length() + "\r\n\r\n" + body);
                assertEquals(200, response.status(), response.body());
                assertTrue(response.body().endsWith(body), response.body());
                assertTrue(response.body().contains("header content-length: " + body.length() + "\n"), response.body());
            }
            assertEquals(200, http.get("shop.example.com", "/api").status(), "bodyless again after bodies");
        }
    }

    @Test
    void largeAndChunkedResponsesStreamThrough() {
        final String payload = "0123456789abcdef".repeat(3 * 65536); // 3 MiB
        try (RawHttp http = RawHttp.connect(proxyAddress)) {
            for (String chunked : new String[]{"0", "1"}) {
                final RawHttp.Response response = http.exchange("POST /api/upload HTTP/1.1\r\nHost: shop.example.com\r\nX-Echo-Chunked: "
                        + chunked + "\r\nContent-Length: " + payload.length() + "\r\n\r\n" + payload);
                assertEquals(200, response.status());
                assertTrue(response.body().endsWith(payload), "the whole body came back, " + response.body().length() + " chars");
                assertEquals(chunked.equals("1") ? "chunked" : null, response.header("transfer-encoding"));
            }
            assertEquals(200, http.get("shop.example.com", "/api").status(), "the connection is still in step");
        }
    }

    @Test
    void malformedRequestsGet400AndTheProxyKeepsServing() {
        final String[] malformed = {
                "GARBAGE\r\n\r\n",
                "GET /api HTTP/1.1\r\nHost: shop.example.com\r\nThis is not a header\r\n\r\n",
                "GET /" + "a".repeat(20_000) + " HTTP/1.1\r\nHost: shop.example.com\r\n\r\n",
                "GET /api HTTP/1.1\r\nHost: shop.example.com\r\nContent-Length: nope\r\n\r\n",
        };
        for (String request : malformed) {
            try (RawHttp http = RawHttp.connect(proxyAddress)) {
                final RawHttp.Response response = http.exchange(request);
                assertEquals(400, response.status(), () -> request.substring(0, Math.min(60, request.length())) + " -> " + response);
                assertTrue(http.closedByPeer(), "the connection is closed after a 400");
            }
            try (RawHttp http = RawHttp.connect(proxyAddress)) {
                assertEquals(200, http.get("shop.example.com", "/api").status(), "still serving after a malformed request");
            }
        }
    }

    @Test
    void aBackendThatRefusesGets502AndOneWithoutEndpoints503() {
        try (RawHttp http = RawHttp.connect(proxyAddress)) {
            final RawHttp.Response down = http.get("down.example.net", "/anything");
            assertEquals(502, down.status(), down.body());
            final RawHttp.Response empty = http.get("empty.example.net", "/anything");
            assertEquals(503, empty.status(), empty.body());
            assertEquals(200, http.get("shop.example.com", "/api").status(), "same connection still serves");
        }
    }

    @Test
    void aDeadPooledConnectionIsRetriedOnceWithTheBodyForIdempotentMethodsOnly() {
        try (RawHttp http = RawHttp.connect(proxyAddress)) {
            final String put = "PUT /x HTTP/1.1\r\nHost: one-answer.example.net\r\nContent-Length: 5\r\n\r\n";
            final RawHttp.Response first = http.exchange(put + "first");
            assertEquals(200, first.status());
            assertEquals("first", first.body());
            final RawHttp.Response second = http.exchange(put.replace("5", "6") + "second");
            assertEquals(200, second.status(), "retried on a new connection after the pooled one died");
            assertEquals("second", second.body(), "the retry carries the whole body again");
            final RawHttp.Response post = http.exchange("POST /x HTTP/1.1\r\nHost: one-answer.example.net\r\nContent-Length: 5\r\n\r\nthird");
            assertEquals(502, post.status(), "a POST is not retried");
        }
    }

    @Test
    void aBackendThatDoesNotAnswerGets504AfterTheResponseTimeout() {
        try (RawHttp http = RawHttp.connect(proxyAddress)) {
            final long startNs = System.nanoTime();
            final RawHttp.Response slow = http.get("slow.example.net", "/anything");
            final long tookMs = (System.nanoTime() - startNs) / 1_000_000;
            assertEquals(504, slow.status(), slow.body());
            assertTrue(tookMs >= RESPONSE_TIMEOUT_MS - 50 && tookMs < RESPONSE_TIMEOUT_MS + 5_000, "took " + tookMs + " ms");
            assertEquals(200, http.get("shop.example.com", "/api").status(), "same connection still serves");
        }
    }
}
