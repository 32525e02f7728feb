package io.isthmus.lb.compile;

import java.util.HashMap;
import java.util.Map;

/**
 * Names → ints that stay the same from one compilation to the next while the name is in use
 * (service-port ids key the affinity table; backend ids label metrics). Each compiled Service
 * {@link #acquire}s the names it uses and {@link #release}s them when it is recompiled or removed;
 * a name no Service uses any more is forgotten, so the map does not grow with churn.
 *
 * <p>The compiler acquires the names of every recompiled Service before it releases the names of
 * their previous compilations, so a name that only moves between Services keeps its id (as it did
 * when the whole set was compiled at once and unused names were dropped at the end).
 *
 * <p>Thread-safety: none; owned by the compiler's thread.
 */
final class StableIds {

    private static final class Entry {
        final int id;
        int users;

        Entry(int id) {
            this.id = id;
        }
    }

    private final Map<String, Entry> ids = new HashMap<>();
    private int next = 1;

    /** The id of {@code name}, a new one if no Service uses it now; counts one more user. */
    int acquire(String name) {
        Entry e = ids.computeIfAbsent(name, k -> new Entry(next++));
        e.users++;
        return e.id;
    }

    /** One user fewer; the name is forgotten when none is left. */
    void release(String name) {
        Entry e = ids.get(name);
        if (e == null) {
            throw new IllegalStateException("id of " + name + " released more often than acquired");
        }
        if (--e.users == 0) {
            ids.remove(name);
        }
    }

    int size() {
        return ids.size();
    }
}
