package io.isthmus.slowpath.apiserver;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.server.mock.KubernetesAttributesExtractor;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesResponseComposer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.crud.AttributeSet;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;

import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;

/**
 * fabric8's CRUD dispatcher with its stored objects also filed in a {@link StoreIndex}, so that
 * creating, reading, updating, patching or deleting one object, and listing one kind, costs in
 * proportion to what is read, not to everything stored. fabric8's own dispatcher finds an object
 * by testing every stored entry's attributes ({@code findResource}, and the scan behind every GET
 * and DELETE), which made seeding N objects cost N²/2 attribute matches: 30 s per 1,000 Services
 * when the API server held 20,000 objects.
 *
 * <p>What is kept from fabric8: the store itself ({@code map}, still the source of truth for
 * watches), the handlers for POST/PUT/PATCH (metadata, resourceVersion, generation, status
 * subresource), {@code processEvent} (storage and watch events), and the exact matching rules
 * ({@link AttributeSet#matches} on every candidate). What is replaced: the lookups
 * ({@link #findResource}), reads ({@link #handleGet}) and deletes of one named object
 * ({@link #handleDelete}), which go through the index. Queries the index cannot narrow (no exact
 * resource in the path) and collection deletes fall back to fabric8's scan. The one visible
 * difference: lists come out in namespace/name order (a real API server's order) instead of
 * the order of last write.
 *
 * <p><b>Thread-safety:</b> any number of server threads. Writes (create, update, patch,
 * delete) hold this class's write lock, during which fabric8 calls back {@link #processEvent}
 * (the only place the index changes) and {@link #findResource}; reads hold its read lock, so a
 * list sees a store and resourceVersion consistent with each other. Watches are fabric8's
 * (under fabric8's own lock, which is always taken inside this one).
 */
public final class IndexedCrudDispatcher extends KubernetesCrudDispatcher {
    private final StoreIndex index = new StoreIndex();
    private final ReadWriteLock lock = new ReentrantReadWriteLock();
    private final KubernetesAttributesExtractor extractor = (KubernetesAttributesExtractor) attributeExtractor;
    /** The last resourceVersion handed out; written under the write lock. */
    private long resourceVersion;

    public IndexedCrudDispatcher() {
        super(List.of());
    }

    @Override
    public MockResponse handleCreate(RecordedRequest request) {
        return under(lock.writeLock(), () -> super.handleCreate(request));
    }

    @Override
    public MockResponse handleUpdate(RecordedRequest request) {
        return under(lock.writeLock(), () -> super.handleUpdate(request));
    }

    @Override
    public MockResponse handlePatch(RecordedRequest request) {
        return under(lock.writeLock(), () -> super.handlePatch(request));
    }

    @Override
    public MockResponse handleGet(String path) {
        if (isWatch(path)) {
            return super.handleGet(path);
        }
        return under(lock.readLock(), () -> {
            final AttributeSet query = extractor.fromPath(path);
            final List<Map.Entry<AttributeSet, String>> items = index.matching(query);
            if (items == null || (items.isEmpty() && !query.containsKey(KubernetesAttributesExtractor.NAME))) {
                // Not narrowed, or an empty list (which fabric8 may answer with a custom resource's API document).
                return super.handleGet(path);
            }
            if (query.containsKey(KubernetesAttributesExtractor.NAME)) {
                return items.isEmpty() ? new MockResponse().setResponseCode(HttpURLConnection.HTTP_NOT_FOUND)
                        : new MockResponse().setResponseCode(HttpURLConnection.HTTP_OK).setBody(items.getFirst().getValue());
            }
            final String list = ((KubernetesResponseComposer) responseComposer)
                    .compose(items.stream().map(Map.Entry::getValue).toList(), String.valueOf(resourceVersion));
            return new MockResponse().setResponseCode(HttpURLConnection.HTTP_OK).setBody(list);
        });
    }

    /**
     * A delete of one named object through the index; fabric8's deletion rules kept: an object
     * without finalizers is removed, one with finalizers gets a deletionTimestamp (once) and stays.
     */
    @Override
    public MockResponse handleDelete(String path) {
        return under(lock.writeLock(), () -> {
            final AttributeSet query = extractor.fromPath(path);
            final List<Map.Entry<AttributeSet, String>> items = query.containsKey(KubernetesAttributesExtractor.NAME) ? index.matching(query) : null;
            if (items == null) {
                return super.handleDelete(path);
            }
            if (items.isEmpty()) {
                return new MockResponse().setResponseCode(HttpURLConnection.HTTP_NOT_FOUND);
            }
            for (Map.Entry<AttributeSet, String> entry : items) {
                delete(path, query, entry);
            }
            return new MockResponse().setResponseCode(HttpURLConnection.HTTP_OK).setBody(items.getFirst().getValue());
        });
    }

    private void delete(String path, AttributeSet query, Map.Entry<AttributeSet, String> entry) {
        final GenericKubernetesResource resource = Serialization.unmarshal(entry.getValue(), GenericKubernetesResource.class);
        if (resource.getFinalizers().isEmpty()) {
            processEvent(path, query, entry.getKey(), null, null);
        } else if (!resource.isMarkedForDeletion()) {
            resource.getMetadata().setDeletionTimestamp(ZonedDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.SECONDS)
                    .format(DateTimeFormatter.ISO_OFFSET_DATE_TIME));
            resource.getMetadata().setResourceVersion(String.valueOf(requestResourceVersion()));
            processEvent(path, query, entry.getKey(), resource, Serialization.asJson(resource));
        }
    }

    @Override
    public Map.Entry<AttributeSet, String> findResource(AttributeSet attributes) {
        final List<Map.Entry<AttributeSet, String>> items = index.matching(attributes);
        if (items == null) {
            return super.findResource(attributes);
        }
        return items.isEmpty() ? null : items.getFirst();
    }

    @Override
    public long requestResourceVersion() {
        final long version = super.requestResourceVersion();
        resourceVersion = version;
        return version;
    }

    /**
     * fabric8 stores under the attributes of the new state (or of the path, when the object has no
     * plural of its own); the same attributes are computed here to file it, as fabric8 computes them.
     */
    @Override
    public void processEvent(String path, AttributeSet pathAttributes, AttributeSet oldAttributes,
                             GenericKubernetesResource resource, String newState) {
        super.processEvent(path, pathAttributes, oldAttributes, resource, newState);
        if (oldAttributes != null) {
            index.remove(oldAttributes);
        }
        if (newState != null) {
            AttributeSet attributes = resource != null ? extractor.extract(resource) : extractor.fromResource(newState);
            if (!attributes.containsKey(KubernetesAttributesExtractor.PLURAL)) {
                attributes = AttributeSet.merge(pathAttributes, attributes);
            }
            index.put(attributes, newState);
        }
    }

    @Override
    public void reset() {
        under(lock.writeLock(), () -> {
            super.reset();
            index.clear();
            return null;
        });
    }

    /** Objects filed in the index (for tests: it must equal the store's size). */
    int indexedObjects() {
        return under(lock.readLock(), index::size);
    }

    /** Objects in fabric8's store. */
    int storedObjects() {
        return under(lock.readLock(), () -> getMap().size());
    }

    /** fabric8's test for a watch request: a query string containing {@code watch=true}. */
    private static boolean isWatch(String path) {
        try {
            final String query = new URI(path).getQuery();
            return query != null && query.contains("watch=true");
        } catch (URISyntaxException e) {
            return false;
        }
    }

    private static <T> T under(java.util.concurrent.locks.Lock held, Supplier<T> action) {
        held.lock();
        try {
            return action.get();
        } finally {
            held.unlock();
        }
    }
}
