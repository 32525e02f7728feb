package io.isthmus.slowpath.apiserver;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.isthmus.slowpath.k8s.ClusterWatch;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EmbeddedApiServerTest {
    private final HttpClient http = HttpClient.newHttpClient();

    private HttpResponse<String> send(HttpRequest request) throws Exception {
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void discoveryNamesEveryTypeWithShortNamesAndVerbs() throws Exception {
        try (EmbeddedApiServer server = EmbeddedApiServer.start(0, List.of())) {
            final String core = send(HttpRequest.newBuilder(URI.create(server.url() + "/api/v1")).build()).body();
            assertTrue(core.contains("\"name\":\"services\"") && core.contains("\"shortNames\":[\"svc\"]") && core.contains("\"watch\""), core);
            final String groups = send(HttpRequest.newBuilder(URI.create(server.url() + "/apis")).build()).body();
            assertTrue(groups.contains("\"discovery.k8s.io/v1\"") && groups.contains("\"networking.k8s.io/v1\""), groups);
            final String networking = send(HttpRequest.newBuilder(URI.create(server.url() + "/apis/networking.k8s.io/v1")).build()).body();
            assertTrue(networking.contains("\"netpol\"") && networking.contains("\"ingresses\""), networking);
            assertEquals(404, send(HttpRequest.newBuilder(URI.create(server.url() + "/apis/example.com/v9")).build()).statusCode());
            assertTrue(send(HttpRequest.newBuilder(URI.create(server.url() + "/version")).build()).body().contains("\"minor\":\"32\""));
        }
    }

    @Test
    void bodiesThatAreNotJsonAreRefusedAndTheServerGoesOn() throws Exception {
        try (EmbeddedApiServer server = EmbeddedApiServer.start(0, List.of()); KubernetesClient client = server.newClient()) {
            final byte[] binary = new byte[512];
            new Random(7).nextBytes(binary);
            final URI pods = URI.create(server.url() + "/api/v1/namespaces/default/pods");
            assertEquals(400, send(HttpRequest.newBuilder(pods).header("Content-Type", "application/yaml")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(binary)).build()).statusCode());
            assertEquals(415, send(HttpRequest.newBuilder(pods).header("Content-Type", "application/vnd.kubernetes.protobuf")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(binary)).build()).statusCode());
            assertEquals(415, send(HttpRequest.newBuilder(pods).header("Content-Type", "application/yaml")
                    .POST(HttpRequest.BodyPublishers.ofString("kind: Pod\nmetadata: {name: x}\n")).build()).statusCode());
            assertEquals(400, send(HttpRequest.newBuilder(pods).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"kind\": ")).build()).statusCode());
            assertEquals(4, client.namespaces().list().getItems().size(), "still serving: " + EmbeddedApiServer.INITIAL_NAMESPACES);
        }
    }

    @Test
    void strategicMergePatchMergesListsByKey() {
        try (EmbeddedApiServer server = EmbeddedApiServer.start(0, List.of()); KubernetesClient client = server.newClient()) {
            client.pods().resource(new PodBuilder().withNewMetadata().withName("p").addToLabels("a", "1").endMetadata().withNewSpec()
                    .addNewContainer().withName("one").withImage("x").endContainer()
                    .addNewContainer().withName("two").withImage("y").endContainer().endSpec().build()).create();
            final Pod patched = client.pods().withName("p").patch(PatchContext.of(PatchType.STRATEGIC_MERGE), """
                    {"metadata":{"labels":{"b":"2","a":null}},
                     "spec":{"containers":[{"name":"two","image":"z"},{"name":"three","image":"w"}]}}""");
            assertEquals(java.util.Map.of("b", "2"), patched.getMetadata().getLabels());
            assertEquals(List.of("one:x", "two:z", "three:w"),
                    patched.getSpec().getContainers().stream().map(c -> c.getName() + ":" + c.getImage()).toList());
            final Pod deleted = client.pods().withName("p").patch(PatchContext.of(PatchType.STRATEGIC_MERGE), """
                    {"spec":{"$setElementOrder/containers":[{"name":"three"},{"name":"two"}],
                             "containers":[{"name":"one","$patch":"delete"}]}}""");
            assertEquals(List.of("three", "two"), deleted.getSpec().getContainers().stream().map(c -> c.getName()).toList());
        }
    }

    @Test
    void theKubeconfigItWritesWorksForClientsAndKubectl(@TempDir Path dir) throws Exception {
        try (EmbeddedApiServer server = EmbeddedApiServer.start(0, List.of())) {
            final Path kubeconfig = server.writeKubeconfig(dir.resolve("kubeconfig"));
            try (KubernetesClient client = ClusterWatch.client(kubeconfig)) {
                assertEquals(server.url() + "/", client.getMasterUrl().toString());
                assertEquals(4, client.namespaces().list().getItems().size());
            }
            final boolean kubectl = Files.isExecutable(Path.of("/usr/local/bin/kubectl")) || Files.isExecutable(Path.of("/usr/bin/kubectl"));
            Assumptions.assumeTrue(kubectl, "kubectl is not installed: the kubectl half of this test is skipped");
            final Process process = new ProcessBuilder("kubectl", "--kubeconfig", kubeconfig.toString(), "get", "ns", "-o", "name")
                    .redirectErrorStream(true).start();
            assertTrue(process.waitFor(30, TimeUnit.SECONDS), "kubectl did not finish");
            final String output = new String(process.getInputStream().readAllBytes());
            assertEquals(0, process.exitValue(), output);
            assertTrue(output.contains("namespace/default") && output.contains("namespace/kube-system"), output);
        }
    }
}
