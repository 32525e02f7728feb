package io.isthmus.policy.compile;

import java.util.ArrayList;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Hands out small integer identities for {@link IdentityKey}s, counting references so that an
 * identity is freed (and its number reused) when nothing refers to it any more.
 *
 * <p><b>Thread-safety:</b> written and read only by the compiler's thread (the slow path).
 */
final class IdentityRegistry {
    /**
     * Identity 0 is never handed out: {@link VerdictTable#EMPTY_KEY} (0) marks a free slot, and only
     * identity 0 with protocol index 0 encodes to it.
     */
    static final int FIRST_ID = 1;

    private final Map<IdentityKey, Integer> ids = new HashMap<>();
    private final List<IdentityKey> keys = new ArrayList<>();
    private final List<int[]> counts = new ArrayList<>(); // [references, local pod references]
    private final ArrayDeque<Integer> free = new ArrayDeque<>();

    IdentityRegistry() {
        keys.add(null);
        counts.add(new int[2]);
    }

    /** The id of {@code key}, or -1. */
    int find(IdentityKey key) {
        return ids.getOrDefault(key, -1);
    }

    /** Adds a reference to {@code key} (a local one when {@code local}); returns its id. */
    int acquire(IdentityKey key, boolean local) {
        Integer id = ids.get(key);
        if (id == null) {
            if (free.isEmpty()) {
                id = keys.size();
                keys.add(key);
                counts.add(new int[2]);
            } else {
                id = free.poll();
                keys.set(id, key);
            }
            ids.put(key, id);
        }
        final int[] count = counts.get(id);
        count[0]++;
        if (local) {
            count[1]++;
        }
        return id;
    }

    /** Drops a reference; returns true when the identity is now gone. */
    boolean release(int id, boolean local) {
        final int[] count = counts.get(id);
        count[0]--;
        if (local) {
            count[1]--;
        }
        if (count[0] == 0) {
            ids.remove(keys.get(id));
            keys.set(id, null);
            free.add(id);
            return true;
        }
        return false;
    }

    IdentityKey key(int id) {
        return id < keys.size() ? keys.get(id) : null;
    }

    boolean hasLocalPods(int id) {
        return id < counts.size() && keys.get(id) != null && counts.get(id)[1] > 0;
    }

    /** One more than the highest id ever handed out (array sizes). */
    int capacity() {
        return keys.size();
    }
}
