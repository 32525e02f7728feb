package io.isthmus.slowpath.agent.ingress;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.isthmus.slowpath.apiserver.EmbeddedApiServer;
import io.isthmus.slowpath.controlplane.ServiceAllocation;
import io.isthmus.slowpath.ingress.match.BackendRef;
import io.isthmus.slowpath.ingress.EchoBackend;
import io.isthmus.slowpath.ingress.EchoCluster;
import io.isthmus.slowpath.ingress.IngressController;
import io.isthmus.slowpath.ingress.IngressSettings;
import io.isthmus.slowpath.ingress.RawHttp;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayInputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The ingress controller as {@code isthmus up} runs it: over the embedded API server's client, with
 * the demo's IngressClass and Ingress (examples/demo/ingress.yaml) applied as up applies manifests;
 * the echo Service's endpoint is a loopback echo server. The demo's host answers through the proxy.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class IngressOverEmbeddedApiServerTest {
    private static final Path DEMO_INGRESS = Path.of(System.getProperty("isthmus.home", "..")).resolve("examples/demo/ingress.yaml");
    private final List<AutoCloseable> made = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable step : made.reversed()) {
            step.close();
        }
    }

    private <T extends AutoCloseable> T closeLater(T resource) {
        made.add(resource);
        return resource;
    }

    @Test
    void theDemoIngressAnswersThroughTheProxy() throws Exception {
        final EmbeddedApiServer api = closeLater(EmbeddedApiServer.start(0, List.of(ServiceAllocation.defaults())));
        final KubernetesClient client = closeLater(api.newClient());
        final EchoBackend echo = closeLater(EchoBackend.start("echo-0", new InetSocketAddress("127.0.0.1", 0)));
        // started first, as in 'isthmus up' (the manifests come after the agent)
        final IngressController controller = closeLater(IngressController.start(client,
                IngressSettings.defaults().withPorts("127.0.0.1", 0, -1).withThreads(1).withStatusAddress("192.0.2.10")));
        client.namespaces().resource(new io.fabric8.kubernetes.api.model.NamespaceBuilder().withNewMetadata().withName("web")
                .endMetadata().build()).create();
        final BackendRef ref = new BackendRef("web", "echo", "80");
        client.services().inNamespace("web").resource(EchoCluster.service(ref)).create();
        client.discovery().v1().endpointSlices().inNamespace("web").resource(EchoCluster.slice(ref, List.of(echo.address()))).create();
        final List<HasMetadata> demo = client.load(new ByteArrayInputStream(Files.readString(DEMO_INGRESS)
                .getBytes(StandardCharsets.UTF_8))).items();
        for (HasMetadata object : demo) {
            client.resource(object).create();
        }

        int status = 0;
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            try (RawHttp http = RawHttp.connect(new InetSocketAddress("127.0.0.1", controller.proxy().httpPort()))) {
                status = http.get("echo.demo.local", "/").status();
            }
            if (status == 200) {
                break;
            }
            Thread.sleep(100);
        }
        assertEquals(200, status, "the demo Ingress routes echo.demo.local/ to the echo Service; compiled: " + controller.compiled());
        assertTrue(echo.requests() > 0, "the echo endpoint was asked");
    }
}
