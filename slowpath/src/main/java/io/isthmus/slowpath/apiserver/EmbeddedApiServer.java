package io.isthmus.slowpath.apiserver;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.Headers;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The API server of {@code isthmus up}: fabric8's mock server in CRUD mode on loopback (plain
 * HTTP, no authentication), with discovery, a body guard and admission hooks added by
 * {@link ApiDispatcher}. Objects live in memory only; a new server holds the namespaces
 * {@link #INITIAL_NAMESPACES}. Informers and kubectl talk to it as to a
 * real API server; what kubectl can and cannot do against it is written in slowpath/README.md.
 *
 * <p><b>Thread-safety:</b> start and close from one thread; the server itself serves any number
 * of clients concurrently.
 */
public final class EmbeddedApiServer implements AutoCloseable {
    /** The mock server logs every request at INFO; kept here so the level set below is not collected. */
    private static final Logger MOCK_SERVER_LOG = Logger.getLogger("io.fabric8.mockwebserver");
    /** The namespaces a new cluster has. */
    public static final List<String> INITIAL_NAMESPACES = List.of("default", "kube-system", "kube-public", "kube-node-lease");
    private final ApiDispatcher dispatcher;
    private final KubernetesMockServer server;
    private final InetAddress address;
    private int port;

    private EmbeddedApiServer(InetAddress address, List<Admission> admissions) {
        this.address = address;
        this.dispatcher = new ApiDispatcher(admissions);
        this.server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), dispatcher, false);
    }

    /** Starts a server on {@code 127.0.0.1:port} (0: any free port) with the given admission hooks. */
    public static EmbeddedApiServer start(int port, List<Admission> admissions) {
        MOCK_SERVER_LOG.setLevel(Level.WARNING);
        final EmbeddedApiServer embedded = new EmbeddedApiServer(InetAddress.getLoopbackAddress(), admissions);
        embedded.server.start(embedded.address, port);
        embedded.port = embedded.server.getPort();
        embedded.dispatcher.serverAddress(embedded.address.getHostAddress() + ":" + embedded.port);
        try (KubernetesClient client = embedded.newClient()) {
            for (String namespace : INITIAL_NAMESPACES) {
                client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(namespace)
                        .addToLabels("kubernetes.io/metadata.name", namespace).endMetadata().build()).create();
            }
        }
        return embedded;
    }

    public int port() {
        return port;
    }

    /** {@code http://127.0.0.1:PORT}. */
    public String url() {
        return "http://" + address.getHostAddress() + ":" + port;
    }

    /** A client configuration for this server (no credentials, default namespace "default"). */
    public Config clientConfig() {
        return new ConfigBuilder(Config.empty()).withMasterUrl(url()).withNamespace("default")
                .withRequestTimeout(30_000).withConnectionTimeout(5_000).build();
    }

    /** A new client for this server; the caller closes it. */
    public KubernetesClient newClient() {
        return new KubernetesClientBuilder().withConfig(clientConfig()).build();
    }

    /**
     * Creates {@code object} in process, as a POST would (admission, storage, watch events) without
     * the HTTP round trip: for seeding many objects quickly. Refusals throw with the server's status.
     */
    public void create(HasMetadata object) {
        final ApiResources.Type type = ApiResources.BY_GROUP_VERSION.getOrDefault(object.getApiVersion(), List.of()).stream()
                .filter(t -> t.kind().equals(object.getKind())).findFirst()
                .orElseThrow(() -> new IllegalArgumentException(object.getApiVersion() + " " + object.getKind() + " is not served here"));
        final String base = type.groupVersion().contains("/") ? "/apis/" + type.groupVersion() : "/api/" + type.groupVersion();
        final String namespace = object.getMetadata().getNamespace() == null ? "default" : object.getMetadata().getNamespace();
        final String path = base + (type.namespaced() ? "/namespaces/" + namespace : "") + "/" + type.plural();
        final MockResponse response = dispatcher.dispatch(new RecordedRequest("HTTP/1.1", HttpMethod.POST, path,
                new Headers.Builder().add("Content-Type", "application/json").build(),
                new Buffer(Serialization.asJson(object).getBytes(StandardCharsets.UTF_8))));
        if (response.code() >= 300) {
            throw new IllegalStateException("creating " + object.getKind() + " " + namespace + "/" + object.getMetadata().getName()
                    + " failed: " + new String(response.getBody().getBytes(), StandardCharsets.UTF_8));
        }
    }

    /** Writes a kubeconfig that points kubectl (or {@code isthmus slowpath --kubeconfig}) at this server. */
    public Path writeKubeconfig(Path file) throws IOException {
        if (file.getParent() != null) {
            Files.createDirectories(file.getParent());
        }
        Files.writeString(file, kubeconfig(url()));
        return file;
    }

    /** The kubeconfig text for a server at {@code url}: one cluster, one user without credentials, one context. */
    static String kubeconfig(String url) {
        return """
                apiVersion: v1
                kind: Config
                clusters:
                - name: isthmus
                  cluster:
                    server: %s
                users:
                - name: isthmus
                  user: {}
                contexts:
                - name: isthmus
                  context:
                    cluster: isthmus
                    user: isthmus
                    namespace: default
                current-context: isthmus
                """.formatted(url);
    }

    @Override
    public void close() {
        try {
            server.shutdown();
        } catch (IllegalStateException slow) {
            // Vert.x did not confirm the close within the mock server's own wait (seen on a loaded
            // machine); the close goes on in Vert.x's threads. Not worth failing a shutdown for.
            MOCK_SERVER_LOG.warning("the embedded API server on port " + port + " was slow to close: " + slow.getMessage());
        }
    }
}
