package io.isthmus.slowpath.ingress;

import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.IngressLoadBalancerIngress;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.isthmus.slowpath.ingress.controller.IngressStatusWriter;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** status.loadBalancer through the status subresource, against fabric8's mock server in CRUD mode. */
@EnableKubernetesMockClient(crud = true, https = false)
class IngressStatusWriterTest {
    static KubernetesClient client;
    /** The mock server logs every request at INFO; held here so that the level set stays. */
    private static final java.util.logging.Logger MOCK_SERVER_LOG = QuietMockServer.log();

    private static Ingress create(String name) {
        return client.network().v1().ingresses().inNamespace("default").resource(new IngressBuilder()
                .withNewMetadata().withNamespace("default").withName(name).endMetadata()
                .withNewSpec().withIngressClassName("isthmus").withNewDefaultBackend().withNewService().withName("web")
                .withNewPort().withNumber(80).endPort().endService().endDefaultBackend().endSpec().build()).create();
    }

    private static List<IngressLoadBalancerIngress> status(String name) {
        return client.network().v1().ingresses().inNamespace("default").withName(name).get().getStatus().getLoadBalancer().getIngress();
    }

    @Test
    void theNodeAddressIsWrittenOnceAsAnIp() {
        final Ingress created = create("web");
        final IngressStatusWriter writer = new IngressStatusWriter(client, "192.0.2.10");
        assertFalse(writer.upToDate(created));
        assertTrue(writer.write(created));
        final List<IngressLoadBalancerIngress> status = status("web");
        assertEquals(1, status.size());
        assertEquals("192.0.2.10", status.getFirst().getIp());
        assertNull(status.getFirst().getHostname());
        final Ingress read = client.network().v1().ingresses().inNamespace("default").withName("web").get();
        assertFalse(writer.write(read), "an up-to-date status is not written again");
        assertEquals("isthmus", read.getSpec().getIngressClassName(), "the spec is untouched");
    }

    @Test
    void aHostNameIsWrittenAsHostnameAndReplacesAnotherNodesAddress() {
        final Ingress created = create("named");
        new IngressStatusWriter(client, "192.0.2.99").write(created);
        final Ingress read = client.network().v1().ingresses().inNamespace("default").withName("named").get();
        assertTrue(new IngressStatusWriter(client, "node-1.example.net").write(read));
        final List<IngressLoadBalancerIngress> status = status("named");
        assertEquals(1, status.size());
        assertEquals("node-1.example.net", status.getFirst().getHostname());
        assertNull(status.getFirst().getIp());
    }
}
