package io.isthmus.slowpath.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.Headers;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The index must not change what the store answers: the same random sequence of creates,
 * updates, patches, reads, lists (with label and field selectors) and deletes goes to fabric8's
 * own CRUD dispatcher and to {@link IndexedCrudDispatcher}, and every answer must be equal (after
 * removing the random uid and the timestamps; lists compared in namespace/name order, the
 * indexed one's order).
 */
class IndexedCrudDispatcherTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> NAMESPACES = List.of("default", "team-a", "team-b");
    private static final List<String> NAMES = List.of("web", "db", "cache", "api", "x-1");
    private static final List<String> APPS = List.of("red", "blue");

    /** A kind of object the sequence uses: its path prefix, apiVersion, kind, and whether it has a namespace. */
    private record Kind(String base, String plural, String apiVersion, String kind, boolean namespaced) {
        String collection(String namespace) {
            return base + (namespaced ? "/namespaces/" + namespace : "") + "/" + plural;
        }
    }

    private static final List<Kind> KINDS = List.of(
            new Kind("/api/v1", "services", "v1", "Service", true),
            new Kind("/api/v1", "configmaps", "v1", "ConfigMap", true),
            new Kind("/api/v1", "namespaces", "v1", "Namespace", false),
            new Kind("/apis/discovery.k8s.io/v1", "endpointslices", "discovery.k8s.io/v1", "EndpointSlice", true));

    @Test
    void everyAnswerEqualsFabric8sOwnDispatcherOverARandomSequence() throws Exception {
        for (long seed = 1; seed <= 4; seed++) {
            final Random random = new Random(seed);
            final KubernetesCrudDispatcher reference = new KubernetesCrudDispatcher(List.of());
            final IndexedCrudDispatcher indexed = new IndexedCrudDispatcher();
            for (int step = 0; step < 400; step++) {
                final RecordedRequest request = randomRequest(random);
                final RecordedRequest same = copy(request);
                final String what = "seed " + seed + " step " + step + ": " + request.getMethod() + " " + request.getPath();
                final MockResponse expected = reference.dispatch(request);
                final MockResponse actual = indexed.dispatch(same);
                assertEquals(expected.code(), actual.code(), what);
                assertEquals(normalised(expected), normalised(actual), what);
                assertEquals(indexed.storedObjects(), indexed.indexedObjects(), what + ": index and store disagree");
            }
        }
    }

    @Test
    void aListOfOneKindHoldsOnlyThatKindInNamespaceNameOrder() throws Exception {
        final IndexedCrudDispatcher indexed = new IndexedCrudDispatcher();
        for (String namespace : List.of("team-b", "default", "team-a")) {
            for (String name : List.of("web", "api")) {
                indexed.dispatch(post(KINDS.get(0).collection(namespace), object(KINDS.get(0), namespace, name, "red", false, "1")));
                indexed.dispatch(post(KINDS.get(1).collection(namespace), object(KINDS.get(1), namespace, name, "red", false, "1")));
            }
        }
        final JsonNode list = JSON.readTree(indexed.dispatch(get("/api/v1/services")).getBody().readUtf8());
        final List<String> keys = new ArrayList<>();
        list.get("items").forEach(item -> keys.add(item.get("kind").asText() + " " + item.at("/metadata/namespace").asText()
                + "/" + item.at("/metadata/name").asText()));
        assertEquals(List.of("Service default/api", "Service default/web", "Service team-a/api", "Service team-a/web",
                "Service team-b/api", "Service team-b/web"), keys);
    }

    private static RecordedRequest randomRequest(Random random) {
        final Kind kind = KINDS.get(random.nextInt(KINDS.size()));
        final String namespace = NAMESPACES.get(random.nextInt(NAMESPACES.size()));
        final String name = NAMES.get(random.nextInt(NAMES.size()));
        final String app = APPS.get(random.nextInt(APPS.size()));
        final String collection = kind.collection(namespace);
        final String one = collection + "/" + name;
        final boolean finalizer = random.nextInt(8) == 0;
        return switch (random.nextInt(12)) {
            case 0, 1, 2 -> post(collection, object(kind, namespace, name, app, finalizer, String.valueOf(random.nextInt(100))));
            case 3 -> put(one, object(kind, namespace, name, app, finalizer, String.valueOf(random.nextInt(100))));
            case 4 -> patch(one, "{\"metadata\":{\"labels\":{\"app\":\"" + app + "\"}}}");
            case 5 -> get(one);
            case 6 -> get(collection);
            case 7 -> get(kind.base + "/" + kind.plural + "?labelSelector=app%3D" + app);
            case 8 -> get(collection + "?labelSelector=app!%3D" + app);
            case 9 -> get(kind.base + "/" + kind.plural + "?fieldSelector=metadata.name%3D" + name);
            case 10 -> delete(one);
            default -> random.nextInt(4) == 0 ? delete(collection) : get(one + "/status");
        };
    }

    /** An object of {@code kind}; {@code data} varies its content. */
    private static String object(Kind kind, String namespace, String name, String app, boolean finalizer, String data) {
        final ObjectNode object = JSON.createObjectNode().put("apiVersion", kind.apiVersion).put("kind", kind.kind);
        final ObjectNode metadata = object.putObject("metadata").put("name", name);
        if (kind.namespaced) {
            metadata.put("namespace", namespace);
        }
        metadata.putObject("labels").put("app", app);
        if (finalizer) {
            metadata.putArray("finalizers").add("example.com/keep");
        }
        switch (kind.kind) {
            case "Service" -> object.putObject("spec").putArray("ports").addObject().put("port", 80 + data.length());
            case "ConfigMap" -> object.putObject("data").put("value", data);
            case "EndpointSlice" -> object.put("addressType", "IPv4").putArray("endpoints").addObject().putArray("addresses").add("10.0.0." + data);
            default -> object.putObject("spec");
        }
        return object.toString();
    }

    private static String normalised(MockResponse response) throws Exception {
        if (response.getBody() == null) {
            return "";
        }
        final String body = response.getBody().readUtf8();
        if (body.isEmpty() || !body.startsWith("{")) {
            return body;
        }
        final JsonNode root = JSON.readTree(body);
        strip(root);
        if (root.get("items") instanceof ArrayNode items) {
            final List<JsonNode> sorted = new ArrayList<>();
            items.forEach(sorted::add);
            sorted.sort(Comparator.comparing((JsonNode item) -> item.at("/metadata/namespace").asText())
                    .thenComparing(item -> item.at("/metadata/name").asText()).thenComparing(item -> item.get("kind").asText()));
            items.removeAll();
            items.addAll(sorted);
        }
        return root.toString();
    }

    private static void strip(JsonNode node) {
        if (node instanceof ObjectNode object) {
            if (object.get("metadata") instanceof ObjectNode metadata) {
                metadata.remove(List.of("uid", "creationTimestamp", "deletionTimestamp"));
            }
            object.forEach(IndexedCrudDispatcherTest::strip);
        } else if (node instanceof ArrayNode array) {
            array.forEach(IndexedCrudDispatcherTest::strip);
        }
    }

    private static RecordedRequest request(HttpMethod method, String path, String contentType, String body) {
        return new RecordedRequest("HTTP/1.1", method, path, new Headers.Builder().add("Content-Type", contentType).build(),
                new Buffer(body.getBytes(StandardCharsets.UTF_8)));
    }

    /** A request's body is read once by a dispatcher; the second dispatcher gets its own copy. */
    private static RecordedRequest copy(RecordedRequest request) {
        final String type = request.getHeader("Content-Type");
        return request(HttpMethod.valueOf(request.getMethod()), request.getPath(), type == null ? "application/json" : type,
                new String(request.getBody().getBytes(), StandardCharsets.UTF_8));
    }

    private static RecordedRequest post(String path, String body) {
        return request(HttpMethod.POST, path, "application/json", body);
    }

    private static RecordedRequest put(String path, String body) {
        return request(HttpMethod.PUT, path, "application/json", body);
    }

    private static RecordedRequest patch(String path, String body) {
        return request(HttpMethod.PATCH, path, "application/merge-patch+json", body);
    }

    private static RecordedRequest get(String path) {
        return request(HttpMethod.GET, path, "application/json", "");
    }

    private static RecordedRequest delete(String path) {
        return request(HttpMethod.DELETE, path, "application/json", "");
    }
}
