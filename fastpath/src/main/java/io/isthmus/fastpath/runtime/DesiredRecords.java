package io.isthmus.fastpath.runtime;

import io.isthmus.fastpath.control.DesiredKind;
import io.isthmus.fastpath.control.DesiredState;

import java.util.EnumMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The desired records as last announced, by kind and key, with the resynchronisation rule of
 * {@code FastpathControl}: after {@code beginSync(e)} every upsert is remembered; {@code endSync(e)}
 * removes every record of any kind not announced since. An {@code endSync} for another epoch than
 * the open one is ignored (a stale slow path finishing late).
 *
 * <p>It compiles nothing: it is the store a fast path keeps when no table compiler is plugged in,
 * and the test double for the control channel (what arrived, exactly).
 *
 * <p><b>Thread-safety:</b> one writer (the control agent); any thread may read {@link #get},
 * {@link #count} and {@link #snapshot} (concurrent maps; a reader may see a sync half applied).
 */
public final class DesiredRecords implements DesiredState {
    private final Map<DesiredKind, Map<String, Object>> records = new EnumMap<>(DesiredKind.class);
    private final Map<DesiredKind, Set<String>> announced = new EnumMap<>(DesiredKind.class);
    private volatile long openEpoch = -1;
    private volatile long lastCompletedEpoch = -1;

    public DesiredRecords() {
        for (DesiredKind kind : DesiredKind.values()) {
            records.put(kind, new ConcurrentHashMap<>());
            announced.put(kind, new HashSet<>());
        }
    }

    @Override
    public void beginSync(long epoch) {
        openEpoch = epoch;
        announced.values().forEach(Set::clear);
    }

    @Override
    public void endSync(long epoch) {
        if (epoch != openEpoch) {
            return;
        }
        for (DesiredKind kind : DesiredKind.values()) {
            records.get(kind).keySet().retainAll(announced.get(kind));
            announced.get(kind).clear();
        }
        openEpoch = -1;
        lastCompletedEpoch = epoch;
    }

    @Override
    public void upsert(DesiredKind kind, String key, Object payload) {
        if (!kind.payloadType().isInstance(payload)) {
            throw new IllegalArgumentException(kind + " '" + key + "': payload is " + (payload == null ? "null"
                    : payload.getClass().getName()) + ", want " + kind.payloadType().getName());
        }
        records.get(kind).put(key, payload);
        if (openEpoch >= 0) {
            announced.get(kind).add(key);
        }
    }

    @Override
    public void delete(DesiredKind kind, String key) {
        records.get(kind).remove(key);
        announced.get(kind).remove(key);
    }

    /** Any thread: the record, or null. */
    public Object get(DesiredKind kind, String key) {
        return records.get(kind).get(key);
    }

    /** Any thread: how many records of {@code kind}. */
    public int count(DesiredKind kind) {
        return records.get(kind).size();
    }

    /** Any thread: a copy of the records of {@code kind}. */
    public Map<String, Object> snapshot(DesiredKind kind) {
        return Map.copyOf(records.get(kind));
    }

    /** The epoch of the last completed sync, -1 before the first. */
    public long lastCompletedEpoch() {
        return lastCompletedEpoch;
    }
}
