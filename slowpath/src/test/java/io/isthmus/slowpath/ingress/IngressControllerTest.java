package io.isthmus.slowpath.ingress;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.IngressClassBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.isthmus.slowpath.ingress.match.BackendRef;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The controller over fabric8's mock API server (CRUD mode): informers → compiled routes in the
 * proxy, status of served Ingresses only, changes picked up, refusals as Events.
 */
@EnableKubernetesMockClient(crud = true, https = false)
class IngressControllerTest {
    static KubernetesClient client;
    /** The mock server logs every request at INFO; held here so that the level set stays. */
    private static final java.util.logging.Logger MOCK_SERVER_LOG = QuietMockServer.log();
    private EchoBackend echo;
    private IngressController controller;

    private static Ingress ingress(String name, String className, String host, String service) {
        return new IngressBuilder().withNewMetadata().withNamespace("default").withName(name).endMetadata()
                .withNewSpec().withIngressClassName(className).addNewRule().withHost(host).withNewHttp().addNewPath()
                .withPath("/").withPathType("Prefix").withNewBackend().withNewService().withName(service)
                .withNewPort().withNumber(80).endPort().endService().endBackend().endPath().endHttp().endRule().endSpec().build();
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        final long deadline = System.nanoTime() + 15_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(50);
        }
    }

    private int status(String host) {
        try (RawHttp http = RawHttp.connect(new InetSocketAddress("127.0.0.1", controller.proxy().httpPort()))) {
            return http.get(host, "/").status();
        }
    }

    @BeforeEach
    void start() {
        echo = EchoBackend.start("web", new InetSocketAddress("127.0.0.1", 0));
        client.network().v1().ingressClasses().resource(new IngressClassBuilder().withNewMetadata().withName("isthmus").endMetadata()
                .withNewSpec().withController(IngressSettings.DEFAULT_CONTROLLER).endSpec().build()).createOr(NonDeletingOperation::update);
        final BackendRef web = new BackendRef("default", "web", "80");
        client.services().inNamespace("default").resource(EchoCluster.service(web)).createOr(NonDeletingOperation::update);
        client.discovery().v1().endpointSlices().inNamespace("default").resource(EchoCluster.slice(web, List.of(echo.address())))
                .createOr(NonDeletingOperation::update);
        client.network().v1().ingresses().inNamespace("default").resource(ingress("web", "isthmus", "web.example.com", "web"))
                .createOr(NonDeletingOperation::update);
        client.network().v1().ingresses().inNamespace("default").resource(ingress("theirs", "nginx", "theirs.example.com", "web"))
                .createOr(NonDeletingOperation::update);
        controller = IngressController.start(client, IngressSettings.defaults().withPorts("127.0.0.1", 0, -1).withThreads(1)
                .withStatusAddress("192.0.2.10"));
    }

    @AfterEach
    void stop() {
        if (controller != null) {
            controller.close();
        }
        echo.close();
    }

    @Test
    void servesItsIngressesWritesTheirStatusAndFollowsChanges() throws Exception {
        assertEquals(200, status("web.example.com"));
        assertEquals(404, status("theirs.example.com"), "another controller's Ingress is left alone");
        await("status of default/web", () -> {
            final Ingress web = client.network().v1().ingresses().inNamespace("default").withName("web").get();
            return web.getStatus() != null && web.getStatus().getLoadBalancer() != null
                    && web.getStatus().getLoadBalancer().getIngress() != null
                    && !web.getStatus().getLoadBalancer().getIngress().isEmpty()
                    && "192.0.2.10".equals(web.getStatus().getLoadBalancer().getIngress().getFirst().getIp());
        });
        final Ingress theirs = client.network().v1().ingresses().inNamespace("default").withName("theirs").get();
        assertTrue(theirs.getStatus() == null || theirs.getStatus().getLoadBalancer() == null
                || theirs.getStatus().getLoadBalancer().getIngress() == null
                || theirs.getStatus().getLoadBalancer().getIngress().isEmpty(), "no status on another controller's Ingress");

        client.network().v1().ingresses().inNamespace("default").resource(ingress("late", "isthmus", "late.example.com", "web")).create();
        await("the new Ingress routed", () -> status("late.example.com") == 200);

        client.discovery().v1().endpointSlices().inNamespace("default").withName("web-abcde").delete();
        await("503 once the endpoints are gone", () -> status("web.example.com") == 503);

        client.network().v1().ingresses().inNamespace("default").withName("late").delete();
        await("404 once the Ingress is gone", () -> status("late.example.com") == 404);
    }

    @Test
    void aResourceBackendIsRefusedWithAWarningEventOnTheIngress() throws Exception {
        client.network().v1().ingresses().inNamespace("default").resource(new IngressBuilder()
                .withNewMetadata().withNamespace("default").withName("bucket").endMetadata()
                .withNewSpec().withIngressClassName("isthmus").addNewRule().withHost("bucket.example.com").withNewHttp().addNewPath()
                .withPath("/").withPathType("Prefix").withNewBackend().withNewResource("k8s.example.com", "StorageBucket", "assets").endBackend().endPath().endHttp().endRule().endSpec().build()).create();
        await("a Warning Event on default/bucket", () -> client.v1().events().inNamespace("default").list().getItems().stream()
                .anyMatch(e -> e.getInvolvedObject().getName().equals("bucket") && e.getReason().equals("ResourceBackendRefused")));
        final Event event = client.v1().events().inNamespace("default").list().getItems().stream()
                .filter(e -> e.getInvolvedObject().getName().equals("bucket")).findFirst().orElseThrow();
        assertEquals("Warning", event.getType());
        assertEquals("Ingress", event.getInvolvedObject().getKind());
        assertTrue(event.getMessage().contains("StorageBucket assets"), event.getMessage());
        assertEquals(404, status("bucket.example.com"));
        final long generation = controller.generation();
        client.network().v1().ingresses().inNamespace("default").resource(ingress("other", "isthmus", "o.example.com", "web")).create();
        await("a recompilation", () -> controller.generation() > generation);
        Thread.sleep(200);
        assertEquals(1, client.v1().events().inNamespace("default").list().getItems().stream()
                .filter(e -> e.getInvolvedObject().getName().equals("bucket")).count(), "reported once while it lasts");
    }
}
