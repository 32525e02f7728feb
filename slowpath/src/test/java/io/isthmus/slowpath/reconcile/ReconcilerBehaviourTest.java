package io.isthmus.slowpath.reconcile;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.client.utils.Serialization;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReconcilerBehaviourTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    private static Service service(String name, String clusterIp, int port, String protocol) {
        return new ServiceBuilder().withNewMetadata().withName(name).withNamespace("shop").endMetadata()
                .withNewSpec().withClusterIP(clusterIp).addNewPort().withName("p").withPort(port).withProtocol(protocol).endPort().endSpec().build();
    }

    @Test
    void anInvalidUpdateKeepsTheLastGoodStateAndSaysWhy() throws Exception {
        try (ClusterHarness cluster = new ClusterHarness(0)) {
            cluster.client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("shop").endMetadata().build()).create();
            cluster.client.services().inNamespace("shop").resource(service("web", "10.96.1.1", 80, "TCP")).create();
            assertTrue(cluster.awaitDump(d -> d.contains("10.96.1.1:80/TCP"), WAIT).contains("10.96.1.1:80/TCP"));

            final Service bad = cluster.client.services().inNamespace("shop").withName("web").get();
            bad.getSpec().getPorts().getFirst().setProtocol("ICMP");
            bad.getSpec().getPorts().getFirst().setPort(81);
            cluster.client.services().inNamespace("shop").resource(bad).update();
            final long deadline = System.nanoTime() + WAIT.toNanos();
            while (!cluster.reconciler.refused().containsKey("Service shop/web") && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertEquals(List.of("spec.ports[0].protocol: 'ICMP' is not TCP, UDP or SCTP"), cluster.reconciler.refused().get("Service shop/web"));
            assertTrue(cluster.dump().contains("10.96.1.1:80/TCP"), "the last good Service stays: " + cluster.dump());

            final NetworkPolicy badPolicy = Serialization.unmarshal("""
                    apiVersion: networking.k8s.io/v1
                    kind: NetworkPolicy
                    metadata: {name: odd, namespace: shop}
                    spec:
                      podSelector: {}
                      ingress: [{from: [{ipBlock: {cidr: 10.0.0.0/33}}]}]
                    """, NetworkPolicy.class);
            cluster.client.resource(badPolicy).create();
            final Service good = cluster.client.services().inNamespace("shop").withName("web").get();
            good.getSpec().getPorts().getFirst().setProtocol("UDP");
            cluster.client.services().inNamespace("shop").resource(good).update();
            final String dump = cluster.awaitDump(d -> d.contains("10.96.1.1:81/UDP"), WAIT);
            assertTrue(dump.contains("10.96.1.1:81/UDP") && !dump.contains("10.96.1.1:80/TCP"), dump);
            assertFalse(cluster.reconciler.refused().containsKey("Service shop/web"));
            assertTrue(cluster.reconciler.refused().get("NetworkPolicy shop/odd").getFirst().contains("spec.ingress[0].from[0].ipBlock.cidr"),
                    String.valueOf(cluster.reconciler.refused()));
        }
    }

    @Test
    void anApiServerThatGoesAwayAndComesBackIsFollowed() throws Exception {
        try (ClusterHarness cluster = new ClusterHarness(0)) {
            cluster.client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("shop").endMetadata().build()).create();
            cluster.client.services().inNamespace("shop").resource(service("old", "10.96.2.1", 80, "TCP")).create();
            assertTrue(cluster.awaitDump(d -> d.contains("10.96.2.1:80/TCP"), WAIT).contains("10.96.2.1:80/TCP"));
            final long resyncsBefore = cluster.reconciler.resyncs();

            cluster.restartServer(Duration.ofMillis(3_000)); // the new server is empty: "old" is gone
            assertTrue(cluster.dump().contains("10.96.2.1:80/TCP"), "nothing changes while the server is away");
            cluster.client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("shop").endMetadata().build()).create();
            cluster.client.services().inNamespace("shop").resource(service("new", "10.96.2.2", 443, "TCP")).create();

            final String dump = cluster.awaitDump(d -> d.contains("10.96.2.2:443/TCP") && !d.contains("10.96.2.1"), Duration.ofSeconds(60));
            assertTrue(dump.contains("10.96.2.2:443/TCP") && !dump.contains("10.96.2.1"), "relists " + cluster.watch.relists() + "\n" + dump);
            assertTrue(cluster.reconciler.resyncs() > resyncsBefore, "a re-list resynchronises");
        }
    }
}
