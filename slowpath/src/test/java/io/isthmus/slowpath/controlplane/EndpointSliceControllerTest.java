package io.isthmus.slowpath.controlplane;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.isthmus.slowpath.apiserver.EmbeddedApiServer;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EndpointSliceControllerTest {

    private static Pod pod(String name, String ip, boolean ready) {
        return new PodBuilder().withNewMetadata().withName(name).addToLabels("app", "web").endMetadata()
                .withNewSpec().withNodeName("node-a").addNewContainer().withName("c").withImage("x").endContainer().endSpec()
                .withNewStatus().withPhase("Running").withPodIP(ip)
                .addNewCondition().withType("Ready").withStatus(ready ? "True" : "False").endCondition().endStatus().build();
    }

    private static List<EndpointSlice> await(KubernetesClient client, Predicate<List<EndpointSlice>> done) throws InterruptedException {
        final long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        List<EndpointSlice> slices = client.discovery().v1().endpointSlices().list().getItems();
        while (!done.test(slices) && System.nanoTime() < deadline) {
            Thread.sleep(50);
            slices = client.discovery().v1().endpointSlices().list().getItems();
        }
        return slices;
    }

    private static boolean firstEndpointReady(List<EndpointSlice> slices, boolean ready) {
        return slices.size() == 1 && slices.getFirst().getEndpoints().size() == 1
                && slices.getFirst().getEndpoints().getFirst().getConditions().getReady() == ready;
    }

    @Test
    void slicesFollowSelectorsAndReadiness() throws Exception {
        try (EmbeddedApiServer server = EmbeddedApiServer.start(0, List.of(ServiceAllocation.defaults()));
             KubernetesClient client = server.newClient();
             EndpointSliceController controller = new EndpointSliceController(server.newClient()).start()) {
            client.services().resource(new ServiceBuilder().withNewMetadata().withName("web").endMetadata()
                    .withNewSpec().addToSelector("app", "web").addNewPort().withName("http").withPort(80).endPort().endSpec().build()).create();
            client.pods().resource(pod("web-1", "10.244.1.2", false)).create();

            List<EndpointSlice> slices = await(client, s -> firstEndpointReady(s, false));
            assertTrue(firstEndpointReady(slices, false), String.valueOf(slices));
            final EndpointSlice slice = slices.getFirst();
            assertEquals("web", slice.getMetadata().getLabels().get(EndpointSliceDerivation.SERVICE_NAME_LABEL));
            assertEquals(EndpointSliceDerivation.MANAGED_BY, slice.getMetadata().getLabels().get(EndpointSliceDerivation.MANAGED_BY_LABEL));
            assertEquals(List.of("10.244.1.2"), slice.getEndpoints().getFirst().getAddresses());
            assertEquals(80, slice.getPorts().getFirst().getPort());

            client.pods().resource(pod("web-1", "10.244.1.2", true)).update();
            assertTrue(firstEndpointReady(await(client, s -> firstEndpointReady(s, true)), true), "readiness follows the pod");

            client.pods().resource(pod("web-2", "10.244.1.3", true)).create();
            slices = await(client, s -> s.size() == 1 && s.getFirst().getEndpoints().size() == 2);
            assertEquals(2, slices.getFirst().getEndpoints().size());

            client.pods().withName("web-1").delete();
            client.pods().withName("web-2").delete();
            slices = await(client, s -> s.size() == 1 && s.getFirst().getEndpoints() != null && s.getFirst().getEndpoints().isEmpty() || s.isEmpty());
            assertTrue(slices.isEmpty() || slices.getFirst().getEndpoints().isEmpty(), String.valueOf(slices));

            client.services().withName("web").delete();
            assertTrue(await(client, List::isEmpty).isEmpty(), "the Service's slices go with it");
            assertTrue(controller.writes() >= 4);
        }
    }
}
