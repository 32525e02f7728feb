package io.isthmus.slowpath.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.Iterator;
import java.util.Map;

/**
 * JSON merge patch (RFC 7386, {@link #merge}) and server-side apply ({@code kubectl apply --server-side}) as the embedded server approximates it:
 * the applied configuration is merged onto the live object, objects field by field, lists and
 * scalars replaced. No field ownership: fields an earlier apply set and this one omits stay, and
 * there are no conflicts between managers.
 *
 * <p><b>Thread-safety:</b> stateless; any thread.
 */
final class ApplyPatch {

    private ApplyPatch() {
    }

    static JsonNode apply(JsonNode live, JsonNode applied) {
        if (!(live instanceof ObjectNode liveObject) || !(applied instanceof ObjectNode appliedObject)) {
            return applied;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = appliedObject.properties().iterator(); it.hasNext(); ) {
            final Map.Entry<String, JsonNode> field = it.next();
            if (field.getKey().equals("managedFields")) {
                continue;
            }
            final JsonNode current = liveObject.get(field.getKey());
            liveObject.set(field.getKey(), current instanceof ObjectNode && field.getValue().isObject()
                    ? apply(current, field.getValue()) : field.getValue());
        }
        return liveObject;
    }

    /** RFC 7386: objects merge field by field, {@code null} removes a field, anything else replaces. */
    static JsonNode merge(JsonNode live, JsonNode patch) {
        if (!(patch instanceof ObjectNode patchObject)) {
            return patch;
        }
        final ObjectNode target = live instanceof ObjectNode liveObject ? liveObject : patchObject.objectNode();
        for (Iterator<Map.Entry<String, JsonNode>> it = patchObject.properties().iterator(); it.hasNext(); ) {
            final Map.Entry<String, JsonNode> field = it.next();
            if (field.getValue().isNull()) {
                target.remove(field.getKey());
            } else {
                target.set(field.getKey(), merge(target.get(field.getKey()), field.getValue()));
            }
        }
        return target;
    }
}
