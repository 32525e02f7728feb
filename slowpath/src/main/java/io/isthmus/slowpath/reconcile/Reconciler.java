package io.isthmus.slowpath.reconcile;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.isthmus.fastpath.control.FastpathControl;
import io.isthmus.slowpath.k8s.ClusterWatch;
import io.isthmus.slowpath.k8s.CoalescingLoop;
import io.isthmus.slowpath.k8s.ObjectKeys;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;

/**
 * Turns the cluster's objects into the fast path's desired records. Informer handlers only note
 * which object changed ({@link ObjectRef}); one reconciler thread reads each noted object from
 * the informer cache, maps it ({@link DesiredRecords}) and sends what differs from what it sent
 * before as {@link FastpathControl#upsert}/{@link FastpathControl#delete}:
 *
 * <pre>
 *   informer threads ──note(ref)──▶ dirty set ──(reconciler thread)──▶ map ▶ diff ▶ FastpathControl
 *                    ──onList()───▶ resync flag ─▶ beginSync · upsert everything · endSync
 * </pre>
 *
 * <ul>
 *   <li>A burst coalesces: the thread drains every noted ref at once, an object changed ten times
 *       is mapped once, and after each drained batch {@code afterBatch} runs (the in-process fast
 *       path compiles there, once per burst).</li>
 *   <li>On start and after every informer (re)list (the API server came back, a watch expired)
 *       the whole desired state is sent between {@code beginSync} and {@code endSync}, so records
 *       of objects deleted while nobody watched disappear.</li>
 *   <li>An object that a mapper refuses is logged with its name and the reasons; its last good
 *       records stay in the fast path (and are re-announced on resync).</li>
 * </ul>
 *
 * <p><b>Thread-safety:</b> the handler methods run on informer threads and only touch the
 * concurrent dirty set; everything else, including every call to {@link FastpathControl}, runs on
 * the one reconciler thread.
 */
public final class Reconciler implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Reconciler.class.getName());

    /** Which object changed: its Java type and {@code namespace/name} (cluster-scoped: name). */
    public record ObjectRef(Class<? extends HasMetadata> type, String key) {
    }

    private final ClusterWatch watch;
    private final FastpathControl control;
    private final DesiredRecords mapper;
    private final Runnable afterBatch;
    private final Set<ObjectRef> dirty = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean resyncWanted = new AtomicBoolean(true);
    private final AtomicLong batches = new AtomicLong();
    private final AtomicLong resyncs = new AtomicLong();
    /** What was last sent for each object (reconciler thread only). */
    private final Map<ObjectRef, List<DesiredRecord>> sent = new HashMap<>();
    /** Objects refused now, with why (written by the reconciler thread, read by anyone). */
    private final Map<String, List<String>> refused = new ConcurrentHashMap<>();
    private final CoalescingLoop loop;
    private long epoch;

    /**
     * @param afterBatch run on the reconciler thread after each batch of calls (e.g. compile and
     *                   publish for an in-process fast path); may be a no-op
     */
    public Reconciler(ClusterWatch watch, FastpathControl control, DesiredRecords mapper, Runnable afterBatch) {
        this.watch = watch;
        this.control = control;
        this.mapper = mapper;
        this.afterBatch = afterBatch;
        this.loop = new CoalescingLoop("isthmus-reconciler", 200, this::pass, e -> {
            LOG.severe("reconciler batch failed, resynchronising: " + e);
            resyncWanted.set(true);
        });
        watch.addHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(HasMetadata object) {
                note(object);
            }

            @Override
            public void onUpdate(HasMetadata before, HasMetadata after) {
                note(after);
            }

            @Override
            public void onDelete(HasMetadata object, boolean finalStateUnknown) {
                note(object);
            }

            @Override
            public void onList(String resourceVersion, boolean initialList) {
                resyncWanted.set(true);
                loop.wake();
            }
        });
    }

    /** Starts the reconciler thread (before or after the informers start). */
    public Reconciler start() {
        loop.start();
        return this;
    }

    private void note(HasMetadata object) {
        dirty.add(new ObjectRef(object.getClass(), keyOf(object)));
        loop.wake();
    }

    private static String keyOf(HasMetadata object) {
        final String namespace = object.getMetadata().getNamespace();
        return namespace == null || namespace.isEmpty() ? object.getMetadata().getName() : namespace + "/" + object.getMetadata().getName();
    }

    /** One wake of the reconciler thread: a resynchronisation, or the noted objects, then afterBatch. */
    private void pass() {
        if (watch.checkConnection()) {
            resyncWanted.set(true); // the new informers' first list ends in onList too
        }
        if (resyncWanted.get() && watch.synced()) {
            resyncWanted.set(false);
            dirty.clear();
            resync();
        } else if (resyncs.get() == 0) {
            return; // nothing is sent before the first whole state: a half-listed cluster is not one
        } else if (!dirty.isEmpty()) {
            final List<ObjectRef> batch = new ArrayList<>(dirty);
            dirty.removeAll(batch);
            for (ObjectRef ref : batch) {
                reconcile(ref);
            }
        } else {
            return;
        }
        afterBatch.run();
        batches.incrementAndGet();
    }

    /** One object: its records now (from the cache), compared with what was sent. */
    private void reconcile(ObjectRef ref) {
        final HasMetadata object = watch.get(ref.type(), ref.key());
        final List<DesiredRecord> before = sent.getOrDefault(ref, List.of());
        final List<DesiredRecord> now;
        if (object == null) {
            now = List.of();
            refused.remove(ref.type().getSimpleName() + " " + ref.key());
        } else {
            now = map(object);
            if (now == null) {
                return; // refused: the last good records stay
            }
        }
        final Map<String, DesiredRecord> remaining = new LinkedHashMap<>();
        before.forEach(record -> remaining.put(record.slot(), record));
        for (DesiredRecord record : now) {
            final DesiredRecord old = remaining.remove(record.slot());
            if (old == null || !old.payload().equals(record.payload())) {
                control.upsert(record.kind(), record.key(), record.payload());
            }
        }
        for (DesiredRecord gone : remaining.values()) {
            control.delete(gone.kind(), gone.key());
        }
        if (now.isEmpty()) {
            sent.remove(ref);
        } else {
            sent.put(ref, now);
        }
    }

    /** The object's records, or null (logged) when refused. */
    private List<DesiredRecord> map(HasMetadata object) {
        final DesiredRecords.Result result = mapper.of(object);
        final String name = object.getClass().getSimpleName() + " " + keyOf(object);
        if (result.records() == null) {
            if (!result.problems().equals(refused.put(name, result.problems()))) {
                LOG.warning(ObjectKeys.describe(object) + " refused, its last good state stays: " + String.join("; ", result.problems()));
            }
            return null;
        }
        refused.remove(name);
        if (!result.problems().isEmpty()) {
            LOG.info(ObjectKeys.describe(object) + ": " + String.join("; ", result.problems()));
        }
        return result.records();
    }

    /** Announces everything: every object in the caches (last good records for refused ones). */
    private void resync() {
        final long syncEpoch = ++epoch;
        control.beginSync(syncEpoch);
        final Set<ObjectRef> present = new LinkedHashSet<>();
        for (Class<? extends HasMetadata> kind : ClusterWatch.WATCHED) {
            if (DesiredRecords.kindsOf(kind).isEmpty()) {
                continue;
            }
            for (HasMetadata object : watch.list(kind)) {
                final ObjectRef ref = new ObjectRef(kind, keyOf(object));
                present.add(ref);
                final List<DesiredRecord> now = map(object);
                final List<DesiredRecord> records = now != null ? now : sent.getOrDefault(ref, List.of());
                for (DesiredRecord record : records) {
                    control.upsert(record.kind(), record.key(), record.payload());
                }
                if (records.isEmpty()) {
                    sent.remove(ref);
                } else {
                    sent.put(ref, records);
                }
            }
        }
        sent.keySet().retainAll(present);
        control.endSync(syncEpoch);
        resyncs.incrementAndGet();
        LOG.fine("resynchronised epoch " + syncEpoch + ": " + present.size() + " objects");
    }

    /** Batches of changes sent so far (resyncs included). */
    public long batches() {
        return batches.get();
    }

    /** Whole-state resynchronisations so far. */
    public long resyncs() {
        return resyncs.get();
    }

    /** Objects refused now ({@code Kind namespace/name} → reasons). */
    public Map<String, List<String>> refused() {
        return Map.copyOf(refused);
    }

    @Override
    public void close() {
        loop.close();
    }
}
