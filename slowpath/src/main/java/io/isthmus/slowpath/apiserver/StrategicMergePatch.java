package io.isthmus.slowpath.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The subset of Kubernetes' strategic merge patch that {@code kubectl apply}, {@code kubectl
 * patch} (its default type) and {@code kubectl label/annotate} send, applied to a live object
 * (fabric8's mock server answers such a patch with 422, so the embedded server applies it here
 * and stores the result as an update):
 * <ul>
 *   <li>objects merge field by field; {@code null} deletes a field;</li>
 *   <li>a list of objects merges by its merge key: the one field of the entries of a
 *       {@code $setElementOrder/FIELD} directive when there is one, else {@code name}, else
 *       {@code containerPort} / {@code port} / {@code type} / {@code ip} when every entry has it;
 *       an entry with {@code $patch: delete} removes the live entry with its key; the directive's
 *       order then orders the result;</li>
 *   <li>{@code $deleteFromPrimitiveList/FIELD} removes values from a list of scalars;
 *       {@code $patch: replace} replaces the object it sits in;</li>
 *   <li>any other list (scalars, entries without a merge key) is replaced.</li>
 * </ul>
 * Not implemented: {@code $retainKeys}, per-field patch strategies from the OpenAPI schema (lists
 * the real server merges although their entries lack the keys above are replaced here).
 *
 * <p><b>Thread-safety:</b> stateless; any thread (it mutates only the nodes it is given).
 */
final class StrategicMergePatch {
    private static final String SET_ELEMENT_ORDER = "$setElementOrder/";
    private static final String DELETE_FROM_PRIMITIVE_LIST = "$deleteFromPrimitiveList/";
    private static final List<String> FALLBACK_MERGE_KEYS = List.of("name", "containerPort", "port", "type", "ip", "mountPath");

    private StrategicMergePatch() {
    }

    /** Applies {@code patch} to {@code live} (changed in place) and returns the result. */
    static JsonNode apply(JsonNode live, JsonNode patch) {
        if (!(patch instanceof ObjectNode patchObject) || !(live instanceof ObjectNode liveObject)) {
            return patch;
        }
        if ("replace".equals(text(patchObject.get("$patch")))) {
            final ObjectNode replaced = patchObject.deepCopy();
            replaced.remove("$patch");
            return replaced;
        }
        final Map<String, JsonNode> orders = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> fields = patchObject.properties().iterator(); fields.hasNext(); ) {
            final Map.Entry<String, JsonNode> field = fields.next();
            final String name = field.getKey();
            final JsonNode value = field.getValue();
            if (name.startsWith(SET_ELEMENT_ORDER)) {
                orders.put(name.substring(SET_ELEMENT_ORDER.length()), value);
            } else if (name.startsWith(DELETE_FROM_PRIMITIVE_LIST)) {
                final JsonNode list = liveObject.get(name.substring(DELETE_FROM_PRIMITIVE_LIST.length()));
                if (list instanceof ArrayNode array) {
                    for (int i = array.size() - 1; i >= 0; i--) {
                        if (contains(value, array.get(i))) {
                            array.remove(i);
                        }
                    }
                }
            } else if (name.startsWith("$")) {
                continue; // $retainKeys and other directives: not implemented, ignored
            } else if (value.isNull()) {
                liveObject.remove(name);
            } else if (value.isObject() && liveObject.get(name) instanceof ObjectNode) {
                liveObject.set(name, apply(liveObject.get(name), value));
            } else if (value.isArray() && liveObject.get(name) instanceof ArrayNode liveArray) {
                final String key = mergeKey(orders.get(name), (ArrayNode) value, liveArray);
                liveObject.set(name, key == null ? withoutDirectives((ArrayNode) value) : mergeList(liveArray, (ArrayNode) value, key));
            } else {
                liveObject.set(name, value.isObject() ? withoutDirectives(value.deepCopy()) : value);
            }
        }
        for (Map.Entry<String, JsonNode> order : orders.entrySet()) {
            if (liveObject.get(order.getKey()) instanceof ArrayNode list && order.getValue() instanceof ArrayNode wanted) {
                liveObject.set(order.getKey(), ordered(list, wanted));
            }
        }
        return liveObject;
    }

    private static String mergeKey(JsonNode order, ArrayNode patch, ArrayNode live) {
        if (order instanceof ArrayNode entries && !entries.isEmpty() && entries.get(0).isObject() && entries.get(0).size() == 1) {
            return entries.get(0).fieldNames().next();
        }
        for (String candidate : FALLBACK_MERGE_KEYS) {
            if (allObjectsWith(patch, candidate) && allObjectsWith(live, candidate) && !(patch.isEmpty() && live.isEmpty())) {
                return candidate;
            }
        }
        return null;
    }

    private static boolean allObjectsWith(ArrayNode list, String key) {
        for (JsonNode entry : list) {
            if (!entry.isObject() || !entry.has(key)) {
                return false;
            }
        }
        return true;
    }

    private static ArrayNode mergeList(ArrayNode live, ArrayNode patch, String key) {
        final ArrayNode out = live.deepCopy();
        for (JsonNode entry : patch) {
            final JsonNode id = entry.get(key);
            int at = -1;
            for (int i = 0; i < out.size(); i++) {
                if (id.equals(out.get(i).get(key))) {
                    at = i;
                    break;
                }
            }
            if ("delete".equals(text(entry.get("$patch")))) {
                if (at >= 0) {
                    out.remove(at);
                }
            } else if (at >= 0) {
                out.set(at, apply(out.get(at), entry));
            } else {
                out.add(withoutDirectives(entry.deepCopy()));
            }
        }
        return out;
    }

    /** The entries of {@code list} in the order of {@code wanted} (by their merge-key fields); others after, in their order. */
    private static ArrayNode ordered(ArrayNode list, ArrayNode wanted) {
        final List<JsonNode> rest = new ArrayList<>();
        list.forEach(rest::add);
        final ArrayNode out = list.arrayNode();
        for (JsonNode position : wanted) {
            for (Iterator<JsonNode> it = rest.iterator(); it.hasNext(); ) {
                final JsonNode entry = it.next();
                if (matches(entry, position)) {
                    out.add(entry);
                    it.remove();
                    break;
                }
            }
        }
        rest.forEach(out::add);
        return out;
    }

    private static boolean matches(JsonNode entry, JsonNode position) {
        if (!position.isObject()) {
            return entry.equals(position);
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = position.properties().iterator(); it.hasNext(); ) {
            final Map.Entry<String, JsonNode> field = it.next();
            if (!field.getValue().equals(entry.get(field.getKey()))) {
                return false;
            }
        }
        return true;
    }

    private static <T extends JsonNode> T withoutDirectives(T node) {
        if (node instanceof ObjectNode object) {
            object.properties().removeIf(field -> field.getKey().startsWith("$"));
            object.forEach(StrategicMergePatch::withoutDirectives);
        } else if (node instanceof ArrayNode array) {
            array.forEach(StrategicMergePatch::withoutDirectives);
        }
        return node;
    }

    private static boolean contains(JsonNode list, JsonNode value) {
        if (list instanceof ArrayNode array) {
            for (JsonNode entry : array) {
                if (entry.equals(value)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static String text(JsonNode node) {
        return node == null ? null : node.asText();
    }
}
