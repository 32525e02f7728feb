package io.isthmus.slowpath.ingress;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder;
import io.isthmus.fastpath.testing.Shell;
import io.isthmus.slowpath.ingress.controller.CompiledIngresses;
import io.isthmus.slowpath.ingress.controller.IngressClassPolicy;
import io.isthmus.slowpath.ingress.controller.IngressCompiler;
import io.isthmus.slowpath.ingress.controller.IngressInputs;
import io.isthmus.slowpath.ingress.match.BackendRef;
import io.isthmus.slowpath.ingress.proxy.IngressProxy;
import io.isthmus.slowpath.ingress.tls.CertificateStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import java.io.FileInputStream;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * TLS termination: certificates from kubernetes.io/tls Secrets chosen by SNI (exact host, wildcard,
 * default), a PKCS#1 key as cert-manager writes it, ALPN h2 and a real HTTP/2 exchange with the
 * JDK's client. Certificates are generated per run with openssl.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class IngressTlsTest {
    private Path dir;
    private final List<AutoCloseable> resources = new ArrayList<>();
    private IngressProxy proxy;
    private SSLContext client;
    private javax.net.ssl.TrustManager[] trustManagers;

    private static String generate(Path dir, String name, String cn, String san, boolean pkcs1) {
        final Path key = dir.resolve(name + ".key");
        final Path crt = dir.resolve(name + ".crt");
        final var result = Shell.run(60, "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key.toString(),
                "-out", crt.toString(), "-days", "2", "-subj", "/CN=" + cn, "-addext", "subjectAltName=" + san);
        result.orThrow();
        if (pkcs1) {
            Shell.run(30, "openssl", "rsa", "-in", key.toString(), "-traditional", "-out", key.toString()).orThrow();
        }
        return name;
    }

    private Secret secret(String name) throws Exception {
        return new SecretBuilder().withNewMetadata().withNamespace("default").withName(name).endMetadata()
                .withType("kubernetes.io/tls")
                .addToData("tls.crt", Base64.getEncoder().encodeToString(Files.readAllBytes(dir.resolve(name + ".crt"))))
                .addToData("tls.key", Base64.getEncoder().encodeToString(Files.readAllBytes(dir.resolve(name + ".key"))))
                .build();
    }

    @BeforeAll
    void start() throws Exception {
        dir = Files.createTempDirectory("isthmus-ingress-tls");
        generate(dir, "shop", "shop.example.com", "DNS:shop.example.com", false);
        generate(dir, "wild", "wildcard.example.com", "DNS:*.example.com", true);
        generate(dir, "fallback", "localhost", "DNS:localhost", false);
        assertTrue(Files.readString(dir.resolve("wild.key")).contains("BEGIN RSA PRIVATE KEY"), "a PKCS#1 key is exercised");
        final Ingress tls = new IngressBuilder().withNewMetadata().withNamespace("default").withName("tls").endMetadata()
                .withNewSpec().withIngressClassName("isthmus")
                .addNewTl().withHosts("shop.example.com").withSecretName("shop").endTl()
                .addNewTl().withHosts("*.example.com").withSecretName("wild").endTl()
                .addNewTl().withSecretName("fallback").endTl()
                .endSpec().build();
        final EchoBackend echo = EchoBackend.start("echo", new InetSocketAddress("127.0.0.1", 0));
        resources.add(echo);
        final Map<BackendRef, List<InetSocketAddress>> endpoints = new java.util.LinkedHashMap<>();
        for (BackendRef ref : EchoCluster.refs(IngressCases.all())) {
            endpoints.put(ref, List.of(echo.address()));
        }
        final IngressInputs base = EchoCluster.inputs(IngressCases.directory(), endpoints, List.of(secret("shop"), secret("wild"), secret("fallback")));
        final List<Ingress> ingresses = new ArrayList<>(base.ingresses());
        ingresses.add(tls);
        final IngressInputs inputs = new IngressInputs(ingresses, base.ingressClasses(), base.services(), base.endpointSlices(), base.secrets());
        final CompiledIngresses compiled = IngressCompiler.compile(inputs, IngressClassPolicy.of(IngressCases.CONTROLLER, inputs.ingressClasses()));
        final List<String> log = new ArrayList<>();
        final CertificateStore certificates = CertificateStore.build(compiled.tls(), inputs.secrets(), log::add);
        assertEquals(List.of(), log);
        assertEquals(List.of("*.example.com", "shop.example.com"), certificates.hosts());
        proxy = IngressProxy.start(IngressSettings.defaults().withPorts("127.0.0.1", -1, 0).withThreads(2));
        proxy.publish(compiled.routes(), certificates);

        final KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        final CertificateFactory factory = CertificateFactory.getInstance("X.509");
        for (String name : List.of("shop", "wild", "fallback")) {
            try (InputStream in = new FileInputStream(dir.resolve(name + ".crt").toFile())) {
                trust.setCertificateEntry(name, factory.generateCertificate(in));
            }
        }
        final TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        trustManagers = tmf.getTrustManagers();
        client = SSLContext.getInstance("TLS");
        client.init(null, trustManagers, null);
    }

    @AfterAll
    void stop() throws Exception {
        if (proxy != null) {
            proxy.close();
        }
        for (AutoCloseable resource : resources) {
            resource.close();
        }
        if (dir != null) {
            try (var files = Files.list(dir)) {
                for (Path file : files.toList()) {
                    Files.delete(file);
                }
            }
            Files.delete(dir);
        }
    }

    private SSLSocket handshake(String sni, String... alpn) throws Exception {
        final SSLContext fresh = SSLContext.getInstance("TLS"); // no session resumption across handshakes
        fresh.init(null, trustManagers, null);
        final SSLSocket socket = (SSLSocket) fresh.getSocketFactory().createSocket("127.0.0.1", proxy.httpsPort());
        socket.setSoTimeout(10_000);
        final SSLParameters parameters = socket.getSSLParameters();
        parameters.setServerNames(sni == null ? List.of() : List.of(new SNIHostName(sni)));
        parameters.setApplicationProtocols(alpn.length == 0 ? new String[]{"http/1.1"} : alpn);
        socket.setSSLParameters(parameters);
        socket.startHandshake();
        return socket;
    }

    private static String subject(SSLSocket socket) throws Exception {
        return ((X509Certificate) socket.getSession().getPeerCertificates()[0]).getSubjectX500Principal().getName();
    }

    @Test
    void sniChoosesTheExactTheWildcardOrTheDefaultCertificate() throws Exception {
        try (SSLSocket socket = handshake("shop.example.com")) {
            assertEquals("CN=shop.example.com", subject(socket));
            final RawHttp.Response response = new RawHttp(socket).get("shop.example.com", "/api/x");
            assertEquals(200, response.status(), response.body());
            assertTrue(response.body().startsWith("uri /api/x\n"), response.body());
            assertTrue(response.body().contains("header x-forwarded-proto: https\n"), response.body());
        }
        try (SSLSocket socket = handshake("blog.example.com")) {
            assertEquals("CN=wildcard.example.com", subject(socket));
            assertEquals(200, new RawHttp(socket).get("blog.example.com", "/blog/1").status());
        }
        try (SSLSocket socket = handshake("a.b.example.com")) {
            assertEquals("CN=localhost", subject(socket), "a wildcard covers one label only");
        }
        try (SSLSocket socket = handshake(null)) {
            assertEquals("CN=localhost", subject(socket), "no SNI: the default certificate");
        }
    }

    @Test
    void alpnOffersH2AndHttp2CarriesRequests() throws Exception {
        try (SSLSocket socket = handshake("shop.example.com", "h2", "http/1.1")) {
            assertEquals("h2", socket.getApplicationProtocol());
        }
        try (SSLSocket socket = handshake("shop.example.com", "http/1.1")) {
            assertEquals("http/1.1", socket.getApplicationProtocol());
        }
        try (HttpClient http2 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).sslContext(client)
                .connectTimeout(Duration.ofSeconds(5)).build()) {
            final HttpResponse<String> posted = http2.send(HttpRequest.newBuilder(URI.create("https://localhost:" + proxy.httpsPort() + "/healthz/post"))
                    .timeout(Duration.ofSeconds(10)).POST(HttpRequest.BodyPublishers.ofString("x".repeat(100_000) + "END")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(HttpClient.Version.HTTP_2, posted.version());
            assertEquals(200, posted.statusCode());
            assertTrue(posted.body().endsWith("x".repeat(1000) + "END"), "an HTTP/2 request body is relayed whole");
            assertTrue(posted.body().contains("header content-length: 100003\n"), posted.body().substring(0, 400));
            for (String path : List.of("/healthz", "/healthz/live", "/aaa/bbb/ccc", "/nothing-here")) {
                final HttpResponse<String> response = http2.send(HttpRequest.newBuilder(
                        URI.create("https://localhost:" + proxy.httpsPort() + path)).timeout(Duration.ofSeconds(10)).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(HttpClient.Version.HTTP_2, response.version());
                if (path.equals("/nothing-here")) {
                    assertEquals(404, response.statusCode());
                } else {
                    assertEquals(200, response.statusCode(), response.body());
                    assertTrue(response.body().startsWith("uri " + path + "\n"), response.body());
                    assertTrue(response.body().contains("header x-forwarded-proto: https\n"), response.body());
                    assertTrue(response.body().contains("header host: localhost:" + proxy.httpsPort() + "\n"), response.body());
                    assertFalse(response.body().contains("x-http2-"), response.body());
                }
            }
        }
    }

    @Test
    void withoutAnyCertificateTheHandshakeIsRefusedAndTheProxyKeepsServing() throws Exception {
        try (IngressProxy bare = IngressProxy.start(IngressSettings.defaults().withPorts("127.0.0.1", -1, 0).withThreads(1))) {
            final SSLContext fresh = SSLContext.getInstance("TLS");
            fresh.init(null, trustManagers, null);
            for (int i = 0; i < 2; i++) {
                try (SSLSocket socket = (SSLSocket) fresh.getSocketFactory().createSocket("127.0.0.1", bare.httpsPort())) {
                    socket.setSoTimeout(10_000);
                    assertThrows(java.io.IOException.class, socket::startHandshake);
                }
            }
        }
        try (SSLSocket socket = handshake("shop.example.com")) {
            assertEquals("CN=shop.example.com", subject(socket), "the other proxy is unaffected");
        }
    }

    @Test
    void aKeyThatIsNotAKeyIsReportedNamingTheIngress() throws Exception {
        final Secret broken = new SecretBuilder(secret("shop")).editMetadata().withName("broken").endMetadata()
                .addToData("tls.key", Base64.getEncoder().encodeToString("not a key".getBytes())).build();
        final List<String> log = new ArrayList<>();
        final CertificateStore store = CertificateStore.build(
                List.of(new io.isthmus.slowpath.ingress.controller.TlsBinding(List.of("x.example.com"), "default", "broken", "default/tls"),
                        new io.isthmus.slowpath.ingress.controller.TlsBinding(List.of("y.example.com"), "default", "missing", "default/tls")),
                List.of(broken), log::add);
        assertTrue(store.isEmpty());
        assertEquals(2, log.size(), log.toString());
        assertTrue(log.get(0).startsWith("Ingress default/tls: TLS Secret default/broken: "), log.get(0));
        assertTrue(log.get(1).contains("default/missing not found"), log.get(1));
    }
}
