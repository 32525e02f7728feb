package io.isthmus.slowpath.manifest;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ManifestDirectoryTest {

    @TempDir
    Path dir;

    @Test
    void readsEveryDocumentOfEveryFileInPathOrder() throws IOException {
        Files.writeString(dir.resolve("b.yaml"), """
                apiVersion: v1
                kind: Service
                metadata: {name: web, namespace: shop}
                spec:
                  selector: {app: web}
                  ports: [{port: 80, targetPort: http}]
                ---
                apiVersion: networking.k8s.io/v1
                kind: NetworkPolicy
                metadata: {name: deny, namespace: shop}
                spec: {podSelector: {}}
                """);
        Files.createDirectories(dir.resolve("sub"));
        Files.writeString(dir.resolve("sub/a.yml"), """
                apiVersion: v1
                kind: List
                items:
                - apiVersion: v1
                  kind: Pod
                  metadata: {name: p1, namespace: shop, labels: {app: web}}
                """);
        Files.writeString(dir.resolve("notes.txt"), "not a manifest");

        ManifestDirectory loaded = ManifestDirectory.load(dir);

        assertEquals(0, loaded.errors().size(), loaded.errors().toString());
        assertEquals(3, loaded.manifests().size());
        assertEquals("Service shop/web", loaded.manifests().get(0).describe());
        assertEquals("http", loaded.ofType(Service.class).get(0).getSpec().getPorts().get(0).getTargetPort().getStrVal());
        assertEquals(1, loaded.ofType(NetworkPolicy.class).size());
        assertEquals("web", loaded.ofType(Pod.class).get(0).getMetadata().getLabels().get("app"));
    }

    @Test
    void namesFileIndexAndReasonForBadDocumentsAndKeepsTheRest() throws IOException {
        Path file = dir.resolve("bad.yaml");
        Files.writeString(file, """
                apiVersion: v1
                kind: Namespace
                metadata: {name: good}
                ---
                kind: Pod
                metadata: {name: nameless-api}
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: broken, namespace: x}
                spec: {ports: "not a list"}
                ---
                - just
                - a list
                """);

        ManifestDirectory loaded = ManifestDirectory.load(dir);

        assertEquals(1, loaded.manifests().size());
        assertEquals(3, loaded.errors().size(), loaded.errors().toString());
        ManifestError missing = loaded.errors().get(0);
        assertEquals(file, missing.file());
        assertEquals(1, missing.documentIndex());
        assertTrue(missing.reason().contains("apiVersion"), missing.reason());
        assertEquals(2, loaded.errors().get(1).documentIndex());
        assertEquals("Service x/broken", loaded.errors().get(1).object());
        assertTrue(loaded.errors().get(1).reason().startsWith("invalid object"), loaded.errors().get(1).reason());
        assertEquals(3, loaded.errors().get(2).documentIndex());
    }

    @Test
    void reportsYamlSyntaxErrorsWithTheDocumentIndex() throws IOException {
        Files.writeString(dir.resolve("syntax.yaml"), """
                apiVersion: v1
                kind: Namespace
                metadata: {name: ok}
                ---
                apiVersion: v1
                kind: [unclosed
                """);

        ManifestDirectory loaded = ManifestDirectory.load(dir);

        assertEquals(1, loaded.manifests().size());
        assertEquals(1, loaded.errors().size());
        assertEquals(1, loaded.errors().get(0).documentIndex());
        assertTrue(loaded.errors().get(0).reason().startsWith("invalid YAML"), loaded.errors().get(0).reason());
    }

    @Test
    void missingDirectoryIsAClearError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ManifestDirectory.load(dir.resolve("nope")));
        assertTrue(e.getMessage().contains("nope"));
    }
}
