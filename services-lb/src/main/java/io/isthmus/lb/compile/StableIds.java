package io.isthmus.lb.compile;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Names → ints that stay the same from one compilation to the next while the name is in use
 * (service-port ids key the affinity table; backend ids label metrics). Names unused for a whole
 * generation are forgotten, so the map does not grow with churn.
 */
final class StableIds {

    private final Map<String, Integer> ids = new HashMap<>();
    private final Set<String> usedThisGeneration = new HashSet<>();
    private int next = 1;

    void beginGeneration() {
        usedThisGeneration.clear();
    }

    int idOf(String name) {
        usedThisGeneration.add(name);
        return ids.computeIfAbsent(name, k -> next++);
    }

    void endGeneration() {
        ids.keySet().retainAll(usedThisGeneration);
    }
}
