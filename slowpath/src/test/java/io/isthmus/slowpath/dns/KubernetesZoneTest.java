package io.isthmus.slowpath.dns;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.isthmus.dns.zone.ZoneSettings;
import io.isthmus.slowpath.manifest.ManifestDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** fabric8 objects to zone records: what is published, and the problems reported for what is not. */
class KubernetesZoneTest {

    @Test
    void reportsWhatCannotBeMappedNamingTheObject() {
        final Service badIp = new ServiceBuilder().withNewMetadata().withName("bad").withNamespace("ns").endMetadata()
                .withNewSpec().withClusterIP("10.0.0.300").endSpec().build();
        final EndpointSlice unlabelled = new EndpointSliceBuilder().withNewMetadata().withName("orphan").withNamespace("ns").endMetadata()
                .withAddressType("IPv4").build();
        final EndpointSlice fqdn = new EndpointSliceBuilder().withNewMetadata().withName("f").withNamespace("ns")
                .addToLabels("kubernetes.io/service-name", "x").endMetadata().withAddressType("FQDN").build();
        final KubernetesZone.Result result = KubernetesZone.build(ZoneSettings.defaults(), List.of(badIp), List.of(unlabelled, fqdn), List.of());
        assertTrue(result.problems().stream().anyMatch(p -> p.contains("Service ns/bad") && p.contains("10.0.0.300")), result.problems().toString());
        assertTrue(result.problems().stream().anyMatch(p -> p.contains("EndpointSlice ns/orphan")), result.problems().toString());
        assertTrue(result.problems().stream().anyMatch(p -> p.contains("EndpointSlice ns/f") && p.contains("FQDN")), result.problems().toString());
    }

    @Test
    void aServiceWithoutNamespaceIsInDefault() {
        final Service svc = new ServiceBuilder().withNewMetadata().withName("plain").endMetadata()
                .withNewSpec().withClusterIP("10.0.0.3").endSpec().build();
        final KubernetesZone.Result result = KubernetesZone.build(ZoneSettings.defaults(), List.of(svc), List.of(), List.of());
        assertTrue(result.zone().names().contains("plain.default.svc.cluster.local"), result.zone().names().toString());
    }

    @Test
    void unreadableDocumentsOfTheDirectoryBecomeProblems(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("a.yaml"), """
                apiVersion: v1
                kind: Service
                metadata: {name: ok, namespace: ns}
                spec: {clusterIP: 10.0.0.1}
                ---
                kind: Service
                metadata: {name: noversion}
                """);
        final KubernetesZone.Result result = ZoneFromManifests.load(dir, ZoneSettings.defaults());
        assertEquals(1, result.problems().size(), result.problems().toString());
        assertTrue(result.problems().getFirst().contains("a.yaml"), result.problems().toString());
        assertTrue(result.zone().names().contains("ok.ns.svc.cluster.local"));
        assertEquals(1, ManifestDirectory.load(dir).errors().size());
    }
}
