package io.isthmus.slowpath.apiserver;

import io.fabric8.kubernetes.client.server.mock.KubernetesAttributesExtractor;
import io.fabric8.mockwebserver.crud.Attribute;
import io.fabric8.mockwebserver.crud.AttributeSet;
import io.fabric8.mockwebserver.crud.AttributeType;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * An index of the CRUD store's entries by resource (plural), namespace and name, so that a read
 * or write of one object, or a list of one kind, looks at the entries that can match instead of
 * every stored object. It narrows only: callers still test each candidate with
 * {@link AttributeSet#matches}, so what matches is exactly what fabric8's full scan would find.
 *
 * <p>An entry is filed under the values of its {@code plural}, {@code namespace} and {@code name}
 * attributes ({@link #ABSENT} when it has none: a cluster-scoped object has no namespace). A query
 * narrows on a key only when it requires one exact value there ({@link AttributeType#WITH}, a
 * single value that is not fabric8's wildcard {@code *}); entries without a plural are candidates
 * for every query. Namespaces and names are kept sorted, so lists come out in namespace/name
 * order, as a real API server returns them.
 *
 * <p><b>Thread-safety:</b> none; {@link IndexedCrudDispatcher} writes it under its write lock
 * and reads it under its read lock.
 */
final class StoreIndex {
    /** The bucket of entries that lack an attribute. */
    static final String ABSENT = "";
    private static final String WILDCARD = "*";

    private final Map<String, TreeMap<String, TreeMap<String, Map<AttributeSet, String>>>> byPlural = new HashMap<>();
    private int size;

    /** Files {@code attributes → json}, replacing the entry with equal attributes if there is one. */
    void put(AttributeSet attributes, String json) {
        final Map<AttributeSet, String> bucket = byPlural.computeIfAbsent(stored(attributes, KubernetesAttributesExtractor.PLURAL), p -> new TreeMap<>())
                .computeIfAbsent(stored(attributes, KubernetesAttributesExtractor.NAMESPACE), n -> new TreeMap<>())
                .computeIfAbsent(stored(attributes, KubernetesAttributesExtractor.NAME), n -> new LinkedHashMap<>(2));
        if (bucket.put(attributes, json) == null) {
            size++;
        }
    }

    /** Removes the entry with these attributes, if filed. */
    void remove(AttributeSet attributes) {
        final TreeMap<String, TreeMap<String, Map<AttributeSet, String>>> namespaces = byPlural.get(stored(attributes, KubernetesAttributesExtractor.PLURAL));
        if (namespaces == null) {
            return;
        }
        final String namespace = stored(attributes, KubernetesAttributesExtractor.NAMESPACE);
        final TreeMap<String, Map<AttributeSet, String>> names = namespaces.get(namespace);
        if (names == null) {
            return;
        }
        final String name = stored(attributes, KubernetesAttributesExtractor.NAME);
        final Map<AttributeSet, String> bucket = names.get(name);
        if (bucket == null || bucket.remove(attributes) == null) {
            return;
        }
        size--;
        if (bucket.isEmpty()) {
            names.remove(name);
            if (names.isEmpty()) {
                namespaces.remove(namespace);
            }
        }
    }

    void clear() {
        byPlural.clear();
        size = 0;
    }

    int size() {
        return size;
    }

    /**
     * The entries that match {@code query}, in namespace/name order, or {@code null} when the
     * query names no single resource (no exact {@code plural}): then only a full scan answers it.
     */
    List<Map.Entry<AttributeSet, String>> matching(AttributeSet query) {
        final String plural = required(query, KubernetesAttributesExtractor.PLURAL);
        if (plural == null) {
            return null;
        }
        final String namespace = required(query, KubernetesAttributesExtractor.NAMESPACE, KubernetesAttributesExtractor.METADATA_NAMESPACE);
        final String name = required(query, KubernetesAttributesExtractor.NAME, KubernetesAttributesExtractor.METADATA_NAME);
        final List<Map.Entry<AttributeSet, String>> found = new ArrayList<>();
        collect(byPlural.get(plural), namespace, name, query, found);
        collect(byPlural.get(ABSENT), namespace, name, query, found);
        return found;
    }

    private static void collect(TreeMap<String, TreeMap<String, Map<AttributeSet, String>>> namespaces, String namespace, String name,
                                AttributeSet query, List<Map.Entry<AttributeSet, String>> found) {
        if (namespaces == null) {
            return;
        }
        final Iterable<TreeMap<String, Map<AttributeSet, String>>> namespaceBuckets = namespace == null ? namespaces.values()
                : namespaces.containsKey(namespace) ? List.of(namespaces.get(namespace)) : List.of();
        for (TreeMap<String, Map<AttributeSet, String>> names : namespaceBuckets) {
            final Iterable<Map<AttributeSet, String>> nameBuckets = name == null ? names.values()
                    : names.containsKey(name) ? List.of(names.get(name)) : List.of();
            for (Map<AttributeSet, String> bucket : nameBuckets) {
                for (Map.Entry<AttributeSet, String> entry : bucket.entrySet()) {
                    if (entry.getKey().matches(query)) {
                        found.add(Map.entry(entry.getKey(), entry.getValue()));
                    }
                }
            }
        }
    }

    /** The single value an entry holds for {@code key}, or {@link #ABSENT}. */
    private static String stored(AttributeSet attributes, String key) {
        final Attribute attribute = attributes.getAttribute(key);
        if (attribute == null || attribute.getValues().size() != 1) {
            return ABSENT;
        }
        final String value = String.valueOf(attribute.getValues().getFirst());
        return value.isEmpty() ? ABSENT : value;
    }

    /**
     * The one exact value the query requires under any of {@code keys}, or {@code null} when it
     * requires none (absent, another operator, several values, the wildcard). When two keys both
     * require values that differ, nothing can match; the first is returned and the match test on
     * each candidate rejects them all.
     */
    private static String required(AttributeSet query, String... keys) {
        for (String key : keys) {
            final Attribute attribute = query.getAttribute(key);
            if (attribute != null && attribute.getType() == AttributeType.WITH && attribute.getValues().size() == 1) {
                final String value = String.valueOf(attribute.getValues().getFirst());
                if (!value.isEmpty() && !WILDCARD.equals(value)) {
                    return value;
                }
            }
        }
        return null;
    }
}
