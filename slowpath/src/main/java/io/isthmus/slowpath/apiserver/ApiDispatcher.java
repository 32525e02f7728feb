package io.isthmus.slowpath.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.Headers;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.zjsonpatch.JsonPatch;
import io.fabric8.zjsonpatch.JsonPatchException;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The embedded API server's request handling, in front of fabric8's CRUD dispatcher (with an
 * index by kind, namespace and name: {@link IndexedCrudDispatcher}):
 * <ol>
 *   <li>discovery ({@code /api}, {@code /apis}, {@code /api/v1}, {@code /apis/G/V}) and
 *       {@code /version}, which the CRUD dispatcher does not answer and kubectl needs to resolve
 *       {@code kubectl get ns};</li>
 *   <li>a guard on bodies: a write must be UTF-8 JSON (kubectl and fabric8 send JSON); anything
 *       else (protobuf, a binary file) is refused with 415 or 400 before it reaches the CRUD
 *       dispatcher, whose YAML fallback once crashed on a binary body;</li>
 *   <li>every patch is applied here to the live object and stored as an update (or, for a
 *       server-side apply of a new object, a create), so admission sees whole objects: strategic
 *       merge ({@link StrategicMergePatch}; the CRUD dispatcher refuses it with 422), server-side
 *       apply and JSON merge ({@link ApplyPatch}), JSON patch (zjsonpatch);</li>
 *   <li>{@link Admission} hooks on writes (ClusterIP/NodePort allocation);</li>
 *   <li>any exception inside becomes a 500 Status naming it; the server keeps serving.</li>
 * </ol>
 *
 * <p><b>Thread-safety:</b> the server calls {@link #dispatch} from several threads; writes are
 * serialised by one lock so admission and storage happen in the same order. Reads and watches
 * go straight to the CRUD dispatcher (which has its own read/write lock).
 */
final class ApiDispatcher extends Dispatcher {
    private static final Logger LOG = Logger.getLogger(ApiDispatcher.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();

    private static final String STRATEGIC_MERGE = "application/strategic-merge-patch+json";
    private static final String APPLY_PATCH = "application/apply-patch+yaml";
    private static final String MERGE_PATCH = "application/merge-patch+json";
    private static final String JSON_PATCH = "application/json-patch+json";

    private final IndexedCrudDispatcher crud = new IndexedCrudDispatcher();
    private final List<Admission> admissions;
    private final ReentrantLock writes = new ReentrantLock();
    private volatile String serverAddress = "127.0.0.1:0";

    ApiDispatcher(List<Admission> admissions) {
        this.admissions = List.copyOf(admissions);
    }

    void serverAddress(String hostPort) {
        this.serverAddress = hostPort;
    }

    @Override
    public MockResponse dispatch(RecordedRequest request) {
        try {
            final String method = request.getMethod();
            final String fullPath = request.getPath();
            final String path = fullPath.contains("?") ? fullPath.substring(0, fullPath.indexOf('?')) : fullPath;
            if ("GET".equals(method)) {
                final MockResponse discovery = discovery(stripSlash(path));
                if (discovery != null) {
                    return discovery;
                }
                return withJsonType(crud.dispatch(request));
            }
            if ("POST".equals(method) || "PUT".equals(method) || "PATCH".equals(method)) {
                return write(request, method, path);
            }
            if ("DELETE".equals(method)) {
                writes.lock();
                try {
                    final MockResponse response = withJsonType(crud.dispatch(request));
                    completed(method, path, response);
                    return response;
                } finally {
                    writes.unlock();
                }
            }
            return withJsonType(crud.dispatch(request));
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "request " + request.getMethod() + " " + request.getPath() + " failed inside the server", e);
            return status(500, "InternalError", "the embedded API server failed on this request: " + e);
        }
    }

    private MockResponse write(RecordedRequest request, String method, String path) {
        final String contentType = request.getHeader("Content-Type");
        if (contentType != null && contentType.contains("protobuf")) {
            return status(415, "UnsupportedMediaType", "the embedded API server takes JSON bodies only, not " + contentType);
        }
        final byte[] bytes = request.getBody() == null ? new byte[0] : request.getBody().getBytes();
        final String body;
        try {
            body = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return status(400, "BadRequest", "the request body is not UTF-8 text (" + bytes.length + " bytes)");
        }
        final String trimmed = body.stripLeading();
        if (trimmed.isEmpty() || (trimmed.charAt(0) != '{' && trimmed.charAt(0) != '[')) {
            return status(415, "UnsupportedMediaType", "the embedded API server takes JSON bodies only");
        }
        try {
            JSON.readTree(body);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            return status(400, "BadRequest", "the request body is not valid JSON: " + e.getOriginalMessage());
        }
        writes.lock();
        try {
            String forwardMethod = method;
            String forwardPath = path;
            String forwardBody = body;
            String forwardType = contentType;
            if ("PATCH".equals(method)) {
                final String type = contentType == null ? "" : contentType;
                final MockResponse live = crud.handleGet(path);
                final boolean exists = live.code() == 200;
                if (!exists && !type.startsWith(APPLY_PATCH)) {
                    return withJsonType(live);
                }
                forwardType = "application/json";
                if (!exists) { // server-side apply of a new object: a create
                    forwardMethod = "POST";
                    forwardPath = path.substring(0, path.lastIndexOf('/'));
                } else {
                    forwardMethod = "PUT";
                    final JsonNode current = JSON.readTree(live.getBody().getBytes());
                    final JsonNode patch = JSON.readTree(body);
                    final JsonNode patched;
                    if (type.startsWith(STRATEGIC_MERGE)) {
                        patched = StrategicMergePatch.apply(current, patch);
                    } else if (type.startsWith(APPLY_PATCH)) {
                        patched = ApplyPatch.apply(current, patch);
                    } else if (type.startsWith(MERGE_PATCH)) {
                        patched = ApplyPatch.merge(current, patch);
                    } else if (type.startsWith(JSON_PATCH)) {
                        patched = JsonPatch.apply(patch, current);
                    } else {
                        return status(415, "UnsupportedMediaType", "unknown patch type '" + type + "'");
                    }
                    forwardBody = JSON.writeValueAsString(patched);
                }
            }
            for (Admission admission : admissions) {
                forwardBody = admission.admit(forwardMethod, forwardPath, forwardBody);
            }
            final RecordedRequest forwarded = forwardBody.equals(body) && forwardMethod.equals(method) ? request
                    : new RecordedRequest(request.getHttpVersion(), HttpMethod.valueOf(forwardMethod), forwardPath,
                    new Headers.Builder().setHeaders(request.getHeaders()).set("Content-Type", forwardType).build(),
                    new Buffer(forwardBody.getBytes(StandardCharsets.UTF_8)));
            final MockResponse response = withJsonType(crud.dispatch(forwarded));
            completed(forwardMethod, forwardPath, response);
            return response;
        } catch (Admission.Refused refused) {
            return status(refused.code(), refused.code() == 409 ? "Conflict" : "Invalid", refused.getMessage());
        } catch (java.io.IOException | JsonPatchException e) {
            return status(422, "Invalid", "the patch could not be applied: " + e.getMessage());
        } finally {
            writes.unlock();
        }
    }

    /** fabric8's CRUD answers carry no Content-Type; kubectl, having asked for protobuf, then misreads JSON. */
    private static MockResponse withJsonType(MockResponse response) {
        if (response.header("Content-Type") == null && response.getWebSocketListener() == null) {
            response.setHeader("Content-Type", "application/json");
        }
        return response;
    }

    private void completed(String method, String path, MockResponse response) {
        final String responseBody = response.getBody() == null ? "" : new String(response.getBody().getBytes(), StandardCharsets.UTF_8);
        for (Admission admission : admissions) {
            admission.completed(method, path, response.code(), responseBody);
        }
    }

    private MockResponse discovery(String path) {
        final Object document;
        if (path.equals("/api")) {
            document = ApiResources.coreVersions(serverAddress);
        } else if (path.equals("/apis")) {
            document = ApiResources.groups();
        } else if (path.equals("/api/v1")) {
            document = ApiResources.resources("v1");
        } else if (path.startsWith("/apis/") && path.chars().filter(c -> c == '/').count() == 3) {
            document = ApiResources.resources(path.substring("/apis/".length()));
            if (document == null) {
                return status(404, "NotFound", "the embedded API server does not serve " + path);
            }
        } else if (path.equals("/version")) {
            document = java.util.Map.of("major", "1", "minor", "32", "gitVersion", "v1.32.0-isthmus", "platform", "linux/amd64");
        } else if (path.startsWith("/openapi/")) {
            return status(404, "NotFound", "the embedded API server has no OpenAPI documents (use kubectl --validate=false)");
        } else {
            return null;
        }
        return new MockResponse().setResponseCode(200).setHeader("Content-Type", "application/json")
                .setBody(Serialization.asJson(document));
    }

    private static String stripSlash(String path) {
        return path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    }

    static MockResponse status(int code, String reason, String message) {
        final Status status = new StatusBuilder().withStatus("Failure").withCode(code).withReason(reason).withMessage(message).build();
        return new MockResponse().setResponseCode(code).setHeader("Content-Type", "application/json").setBody(Serialization.asJson(status));
    }
}
