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
    void theClusterDnsAddressIsNeverHandedOutAndOnlyTheClusterDnsServiceMayAskForIt() {
        final ClusterIpAllocator clusterIps = new ClusterIpAllocator("10.96.0.0/29").reserveFor("10.96.0.2", "the cluster DNS",
                java.util.Set.of("kube-system/kube-dns"));
        final ServiceAllocation allocation = new ServiceAllocation(clusterIps, new NodePortAllocator(30000, 30001));
        try (EmbeddedApiServer server = EmbeddedApiServer.start(0, List.of(allocation)); KubernetesClient client = server.newClient()) {
            final List<String> given = new java.util.ArrayList<>();
            for (String name : List.of("a", "b", "c", "d", "e")) { // the /29 has 6 addresses, one reserved
                given.add(client.services().resource(service(name, null, null, null)).create().getSpec().getClusterIP());
            }
            assertEquals(List.of("10.96.0.1", "10.96.0.3", "10.96.0.4", "10.96.0.5", "10.96.0.6"), given, "10.96.0.2 skipped");
            assertEquals(422, assertThrows(KubernetesClientException.class,
                    () -> client.services().resource(service("f", null, null, null)).create()).getCode(), "full: the reserved one is not given");

            final KubernetesClientException refused = assertThrows(KubernetesClientException.class,
                    () -> client.services().resource(service("impostor", null, "10.96.0.2", null)).create());
            assertEquals(422, refused.getCode());
            assertTrue(refused.getMessage().contains("provided IP 10.96.0.2 is reserved for the cluster DNS (only for Service kube-system/kube-dns)"),
                    refused.getMessage());
            assertEquals(422, assertThrows(KubernetesClientException.class, () -> client.services().inNamespace("other")
                    .resource(service("kube-dns", null, "10.96.0.2", null)).create()).getCode(), "the name alone is not enough: the namespace counts");
            assertEquals(5, allocation.clusterIpsHeld());

            final Service dns = client.services().inNamespace("kube-system").resource(service("kube-dns", null, "10.96.0.2", null)).create();
            assertEquals("10.96.0.2", dns.getSpec().getClusterIP());
            assertEquals(6, allocation.clusterIpsHeld());
            final Service edited = client.services().inNamespace("kube-system").withName("kube-dns").edit(s -> {
                s.getMetadata().setLabels(java.util.Map.of("k8s-app", "kube-dns"));
                return s;
            });
            assertEquals("10.96.0.2", edited.getSpec().getClusterIP(), "an update keeps it");
            client.services().inNamespace("kube-system").withName("kube-dns").delete();
            assertEquals(5, allocation.clusterIpsHeld());
            assertEquals(422, assertThrows(KubernetesClientException.class,
                    () -> client.services().resource(service("f", null, null, null)).create()).getCode(), "deleted, it is reserved again, not free");
            assertEquals("10.96.0.2", client.services().inNamespace("kube-system").resource(service("kube-dns", null, "10.96.0.2", null)).create()
                    .getSpec().getClusterIP(), "the cluster DNS Service may have it again");
        }
    }

    @Test
    void aReservedAddressComesBackReservedWhenItsServiceIsDeleted() {
        final ClusterIpAllocator clusterIps = new ClusterIpAllocator("10.0.0.0/30").reserveFor("10.0.0.1", "the cluster DNS", java.util.Set.of("kube-system/kube-dns"));
        assertEquals("10.0.0.2", clusterIps.allocate());
        assertEquals(null, clusterIps.allocate(), "the reserved address is not handed out");
        assertEquals(1, clusterIps.heldCount());
        assertEquals(null, clusterIps.reserve("10.0.0.1", "kube-system/kube-dns"));
        assertTrue(clusterIps.reserve("10.0.0.1", "kube-system/kube-dns").contains("already allocated"), "one holder at a time");
        assertEquals(2, clusterIps.heldCount());
        clusterIps.release("10.0.0.1");
        assertEquals(1, clusterIps.heldCount());
        assertEquals(null, clusterIps.allocate(), "released, it is reserved again, not free");
        assertTrue(clusterIps.reserve("10.0.0.1").contains("reserved for the cluster DNS"));
        assertThrows(IllegalArgumentException.class, () -> clusterIps.reserveFor("10.0.0.2", "x", java.util.Set.of()), "held already");
        assertThrows(IllegalArgumentException.class, () -> clusterIps.reserveFor("10.1.0.1", "x", java.util.Set.of()), "out of range");
    }

    @Test
    void upReservesItsClusterDnsAddressWhenItIsInTheRange() {
        final ServiceAllocation allocation = ServiceAllocation.withClusterDns("10.96.0.10");
        try (EmbeddedApiServer server = EmbeddedApiServer.start(0, List.of(allocation)); KubernetesClient client = server.newClient()) {
            for (int i = 0; i < 12; i++) {
                assertNotEquals("10.96.0.10", client.services().resource(service("s" + i, null, null, null)).create().getSpec().getClusterIP());
            }
            assertEquals(422, assertThrows(KubernetesClientException.class,
                    () -> client.services().resource(service("x", null, "10.96.0.10", null)).create()).getCode());
        }
        ServiceAllocation.withClusterDns("172.30.0.10"); // outside the range: nothing to reserve, no failure
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
