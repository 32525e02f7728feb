package io.isthmus.lb.compile;

import io.isthmus.lb.maglev.MaglevSizing;
import io.isthmus.lb.maglev.MaglevTable;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The previous generation's Maglev table of every backend set (service port × family × cluster or
 * local), so that a new generation is an {@link MaglevTable#update} of the old one — removing one
 * of N backends then moves ~1/N of new flows — instead of a full rebuild.
 *
 * <p>M is sticky: a set keeps its previous M while that is still larger than the backend count and
 * within a factor of the sizing policy's choice (a quarter to eight times; a quarter still gives each backend its share within 4%), so scaling a Deployment
 * from 2 to 3 replicas does not change M (a new M reshuffles almost every flow). A small set's
 * M = 71 (see MaglevSizing) also stays while it gives each backend at least 16 entries, so a
 * Service going from 3 to 4 backends keeps it (17-18 entries each) instead of moving to 401.
 *
 * <p>Thread-safety: none; owned by the compiler's thread.
 */
final class MaglevHistory {

    private record Table(String[] names, int[] entries, int sizeM) {
    }

    /** A previous M is kept while it gives each backend at least this many entries (shares within ~6%). */
    private static final int MIN_STICKY_ENTRIES_PER_BACKEND = 16;

    private final MaglevSizing sizing;
    private Map<String, Table> previous = new HashMap<>();
    private Map<String, Table> current = new HashMap<>();

    MaglevHistory(MaglevSizing sizing) {
        this.sizing = sizing;
    }

    void beginGeneration() {
        current = new HashMap<>();
    }

    /** Forgets sets not compiled in this generation. */
    void endGeneration() {
        previous = current;
    }

    /**
     * M for a set of {@code backendCount}, reusing the previous M when it is still good: larger
     * than the count, within the factors above, removing a backend still moves at most 1.2/N of
     * the flows, and, when the policy's own M gives the set a one-line or two-line frontend bucket,
     * the previous M does too (a Service going from 10 to 11 backends does not keep an M whose
     * decision would read three lines).
     */
    int sizeFor(String setKey, int backendCount) {
        int wanted = sizing.sizeFor(backendCount);
        Table old = previous.get(setKey);
        if (old != null && old.sizeM > backendCount && old.sizeM <= (long) wanted * 8
                && ((long) old.sizeM * 4 >= wanted || old.sizeM >= (long) MIN_STICKY_ENTRIES_PER_BACKEND * backendCount)
                && MaglevSizing.removalMovesAtMost1point2OverN(old.sizeM, backendCount)
                && (!sizing.fitsLineBuckets(backendCount, wanted) || sizing.fitsLineBuckets(backendCount, old.sizeM))) {
            return old.sizeM;
        }
        return wanted;
    }

    /** The table for {@code set}: an update of the previous one when it has the same M, else a full build. */
    int[] entriesFor(String setKey, List<CandidateEndpoint> set, int sizeM) {
        String[] names = new String[set.size()];
        for (int i = 0; i < names.length; i++) {
            names[i] = set.get(i).maglevName();
        }
        Table old = previous.get(setKey);
        int[] entries = old != null && old.sizeM == sizeM
                ? MaglevTable.update(old.entries, old.names, names, sizeM)
                : MaglevTable.build(names, sizeM);
        current.put(setKey, new Table(names, entries, sizeM));
        return entries;
    }
}
