package io.isthmus.slowpath.controlplane;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.isthmus.slowpath.apiserver.EmbeddedApiServer;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ServiceAllocationTest {

    private static Service service(String name, String type, String clusterIp, Integer nodePort) {
        return new ServiceBuilder().withNewMetadata().withName(name).endMetadata()
                .withNewSpec().withType(type).withClusterIP(clusterIp).addNewPort().withPort(80).withNodePort(nodePort).endPort().endSpec().build();
    }

    @Test
    void clusterIpsAndNodePortsAreAllocatedOnceAndReleasedOnDelete() {
        final ServiceAllocation allocation = new ServiceAllocation(new ClusterIpAllocator("10.96.0.0/29"), new NodePortAllocator(30000, 30001));
        try (EmbeddedApiServer server = EmbeddedApiServer.start(0, List.of(allocation)); KubernetesClient client = server.newClient()) {
            final Service a = client.services().resource(service("a", null, null, null)).create();
            final Service b = client.services().resource(service("b", "NodePort", null, null)).create();
            assertEquals("10.96.0.1", a.getSpec().getClusterIP());
            assertEquals("10.96.0.2", b.getSpec().getClusterIP());
            assertEquals(List.of("10.96.0.1"), a.getSpec().getClusterIPs());
            assertEquals("ClusterIP", a.getSpec().getType(), "defaulted");
            assertEquals("TCP", a.getSpec().getPorts().getFirst().getProtocol(), "defaulted");
            assertEquals(80, a.getSpec().getPorts().getFirst().getTargetPort().getIntVal(), "defaulted");
            assertEquals(30000, b.getSpec().getPorts().getFirst().getNodePort());
            assertEquals(null, a.getSpec().getPorts().getFirst().getNodePort(), "a ClusterIP Service gets no node port");

            final KubernetesClientException taken = assertThrows(KubernetesClientException.class,
                    () -> client.services().resource(service("c", null, "10.96.0.2", null)).create());
            assertEquals(422, taken.getCode());
            assertTrue(taken.getMessage().contains("provided IP 10.96.0.2 is already allocated"), taken.getMessage());
            assertEquals(422, assertThrows(KubernetesClientException.class,
                    () -> client.services().resource(service("d", "NodePort", null, 30000)).create()).getCode());
            assertEquals(422, assertThrows(KubernetesClientException.class,
                    () -> client.services().resource(service("e", null, "10.97.0.1", null)).create()).getCode(), "outside the range");
            assertEquals(2, allocation.clusterIpsHeld(), "refused creates hold nothing");
            assertEquals(1, allocation.nodePortsHeld());

            final Service headless = client.services().resource(service("h", null, "None", null)).create();
            assertEquals("None", headless.getSpec().getClusterIP());
            assertEquals(2, allocation.clusterIpsHeld());

            final Service updated = client.services().withName("b").edit(s -> {
                s.getSpec().setClusterIP(null);
                s.getSpec().setClusterIPs(null);
                s.getSpec().getPorts().getFirst().setNodePort(null);
                return s;
            });
            assertEquals("10.96.0.2", updated.getSpec().getClusterIP(), "an update keeps the cluster IP");
            assertEquals(30000, updated.getSpec().getPorts().getFirst().getNodePort(), "and the node port");
            assertEquals(422, assertThrows(KubernetesClientException.class, () -> client.services().withName("b").edit(s -> {
                s.getSpec().setClusterIP("10.96.0.5");
                return s;
            })).getCode(), "a cluster IP is immutable");

            client.services().withName("b").delete();
            assertEquals(1, allocation.clusterIpsHeld());
            assertEquals(0, allocation.nodePortsHeld());
            final Service again = client.services().resource(service("f", "NodePort", null, null)).create();
            assertEquals("10.96.0.2", again.getSpec().getClusterIP(), "released addresses are reused");
            assertEquals(30000, again.getSpec().getPorts().getFirst().getNodePort());
            assertNotEquals(a.getSpec().getClusterIP(), again.getSpec().getClusterIP());
        }
    }

    @Test
    void rangesAreChecked() {
        assertThrows(IllegalArgumentException.class, () -> new ClusterIpAllocator("10.96.0.0"));
        assertThrows(IllegalArgumentException.class, () -> new ClusterIpAllocator("10.96.0.0/31"));
        assertThrows(IllegalArgumentException.class, () -> new NodePortAllocator(32000, 31000));
        final ClusterIpAllocator tiny = new ClusterIpAllocator("10.0.0.0/30");
        assertEquals("10.0.0.1", tiny.allocate());
        assertEquals("10.0.0.2", tiny.allocate());
        assertEquals(null, tiny.allocate(), "network and broadcast are never given");
    }
}
