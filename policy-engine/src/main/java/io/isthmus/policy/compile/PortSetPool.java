package io.isthmus.policy.compile;

import java.nio.IntBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Interned sets of ports: every distinct set gets a small id, so a verdict table entry holds an
 * int and equal sets are stored once. Id {@value #NONE} is the empty set, {@value #ALL} every
 * port 0..65535; the others are bitmaps of 65,536 bits (1,024 longs) in one growing array.
 *
 * <pre>
 *   bitmaps: | set 2: 1024 longs | set 3: 1024 longs | ... |
 *   port p of set s is bit (p &amp; 63) of bitmaps[(s - 2) * 1024 + (p &gt;&gt;&gt; 6)]
 * </pre>
 *
 * <p><b>Reclamation:</b> sets that no verdict table uses any more (policies replaced or removed,
 * intermediate unions) are freed by {@link #reclaim}, which the compiler calls after building a
 * snapshot's tables when {@link #reclaimDue()} (the sets made since the last reclamation are at
 * least as many as were alive after it, and at least {@value #MIN_ALLOCATIONS_BETWEEN_RECLAIMS}): so the
 * pool spans at most about twice its live sets plus that minimum, and the work of a reclamation
 * (marking every table's sets, copying the arrays) is paid once per that many new sets.
 *
 * <p><b>Thread-safety:</b> written only by the compiler's thread (the slow path). Readers are
 * fast-path workers, through a snapshot that keeps the {@link #bitmaps()} and
 * {@link #singleRanges()} arrays of its time and reads only the sets its tables name. The pool
 * never writes a set that a snapshot built on the current arrays can name: a new set goes either
 * to an id past every id in use (the arrays grow by copying) or to an id freed by a reclamation,
 * and a reclamation first moves to fresh copies of the arrays, so the old arrays are never written
 * again. A worker still reading an older generation therefore reads exactly what it read before,
 * with no synchronisation beyond the snapshot's safe publication, and the old arrays are reclaimed
 * by the garbage collector when the last snapshot holding them is dropped.
 */
final class PortSetPool {
    static final int NONE = 0;
    static final int ALL = 1;
    static final int LONGS_PER_SET = 1024;
    /** The fewest sets made between two reclamations (a small pool is not worth marking). */
    static final int MIN_ALLOCATIONS_BETWEEN_RECLAIMS = 64;

    /** Per id, its ranges; null for a freed id. */
    private final List<int[]> ranges = new ArrayList<>();
    /** Ids below {@code ranges.size()} freed by a reclamation, writable in the current arrays. */
    private final BitSet free = new BitSet();
    private int allocatedSinceReclaim;
    private int liveAfterReclaim;
    private final Map<IntBuffer, Integer> ids = new HashMap<>();
    private final Map<Long, Integer> unions = new HashMap<>();
    private long[] bitmaps = new long[LONGS_PER_SET * 16];
    private long[] singleRanges = new long[64];

    PortSetPool() {
        intern(new int[0]);
        intern(new int[] {0, 65535});
    }

    /** The id of the set made of {@code startEndPairs} (inclusive ranges, any order, may overlap). */
    int of(int... startEndPairs) {
        return intern(normalise(startEndPairs));
    }

    /** The id of the union of two sets (cached). */
    int union(int a, int b) {
        if (a == b || b == NONE || a == ALL) {
            return a;
        }
        if (a == NONE || b == ALL) {
            return b;
        }
        final long cacheKey = a < b ? ((long) a << 32) | b : ((long) b << 32) | a;
        final Integer cached = unions.get(cacheKey);
        if (cached != null) {
            return cached;
        }
        final int[] left = ranges.get(a);
        final int[] right = ranges.get(b);
        final int[] both = Arrays.copyOf(left, left.length + right.length);
        System.arraycopy(right, 0, both, left.length, right.length);
        final int id = of(both);
        unions.put(cacheKey, id);
        return id;
    }

    /** The inclusive ranges of a set, sorted and disjoint. */
    int[] ranges(int id) {
        return ranges.get(id);
    }

    boolean contains(int id, int port) {
        return PortSets.contains(bitmaps, id, port);
    }

    /** Per set, {@code first << 16 | last} when it is one range (empty: 1, 0), else -1; as of now (append-only like the bitmaps). */
    long[] singleRanges() {
        return singleRanges;
    }

    /** The bitmap array as of now (a snapshot keeps it; see the class comment). */
    long[] bitmaps() {
        return bitmaps;
    }

    /** How many ids the pool spans, live or free (one more than the highest id in use). */
    int size() {
        return ranges.size();
    }

    /** Whether enough sets were made since the last {@link #reclaim} for another to be worth it. */
    boolean reclaimDue() {
        return allocatedSinceReclaim >= Math.max(MIN_ALLOCATIONS_BETWEEN_RECLAIMS, liveAfterReclaim);
    }

    /**
     * Frees every set that is not in {@code live} ({@link #NONE} and {@link #ALL} always stay). The
     * caller (the compiler, between building a snapshot's tables and publishing it) passes every
     * set its current tables name; older snapshots may name freed sets, which is why the arrays
     * are copied first (see the class comment).
     */
    void reclaim(BitSet live) {
        int liveCount = 2;
        boolean freedAny = false;
        for (int id = ALL + 1; id < ranges.size(); id++) {
            final int[] r = ranges.get(id);
            if (r == null) {
                continue;
            }
            if (live.get(id)) {
                liveCount++;
            } else {
                ids.remove(IntBuffer.wrap(r));
                ranges.set(id, null);
                freedAny = true;
            }
        }
        if (freedAny) {
            bitmaps = bitmaps.clone(); // snapshots built so far keep the old arrays, never written again
            singleRanges = singleRanges.clone();
            int end = ranges.size();
            while (end > ALL + 1 && ranges.get(end - 1) == null) {
                end--;
            }
            ranges.subList(end, ranges.size()).clear();
            free.clear();
            for (int id = ALL + 1; id < end; id++) {
                if (ranges.get(id) == null) {
                    free.set(id);
                }
            }
            unions.entrySet().removeIf(e -> isFree((int) (e.getKey() >>> 32)) || isFree((int) (long) e.getKey())
                    || isFree(e.getValue()));
        }
        liveAfterReclaim = liveCount;
        allocatedSinceReclaim = 0;
    }

    private boolean isFree(int id) {
        return id >= ranges.size() || ranges.get(id) == null;
    }

    /** The ranges as text: "80,443,8000-8080" or "*" or "-". */
    String describe(int id) {
        if (id == ALL) {
            return "*";
        }
        if (isFree(id)) {
            return "(freed set " + id + ")";
        }
        final int[] r = ranges.get(id);
        if (r.length == 0) {
            return "-";
        }
        final StringBuilder text = new StringBuilder();
        for (int i = 0; i < r.length; i += 2) {
            text.append(i == 0 ? "" : ",").append(r[i]).append(r[i] == r[i + 1] ? "" : "-" + r[i + 1]);
        }
        return text.toString();
    }

    private int intern(int[] normalised) {
        final IntBuffer key = IntBuffer.wrap(normalised);
        final Integer existing = ids.get(key);
        if (existing != null) {
            return existing;
        }
        final int freeId = free.nextSetBit(0);
        final boolean reused = freeId >= 0;
        final int id = reused ? freeId : ranges.size();
        if (reused) {
            free.clear(id);
            ranges.set(id, normalised);
        } else {
            ranges.add(normalised);
        }
        ids.put(key, id);
        allocatedSinceReclaim++;
        if (id >= singleRanges.length) {
            singleRanges = Arrays.copyOf(singleRanges, singleRanges.length * 2); // old snapshots keep the old array
        }
        singleRanges[id] = normalised.length == 0 ? (1L << 16) // empty: first 1 > last 0
                : normalised.length == 2 ? ((long) normalised[0] << 16) | normalised[1] : -1;
        if (id > ALL) {
            final int base = (id - 2) * LONGS_PER_SET;
            if (base + LONGS_PER_SET > bitmaps.length) {
                bitmaps = Arrays.copyOf(bitmaps, bitmaps.length * 2); // old snapshots keep the old array
            }
            if (reused) {
                Arrays.fill(bitmaps, base, base + LONGS_PER_SET, 0L); // the freed set's bits (copied, not shared)
            }
            for (int i = 0; i < normalised.length; i += 2) {
                for (int port = normalised[i]; port <= normalised[i + 1]; port++) {
                    bitmaps[base + (port >>> 6)] |= 1L << (port & 63);
                }
            }
        }
        return id;
    }

    private static int[] normalise(int[] pairs) {
        final int count = pairs.length / 2;
        final long[] sorted = new long[count];
        for (int i = 0; i < count; i++) {
            sorted[i] = ((long) pairs[2 * i] << 32) | pairs[2 * i + 1];
        }
        Arrays.sort(sorted);
        final int[] out = new int[pairs.length];
        int n = 0;
        for (long range : sorted) {
            final int start = (int) (range >>> 32);
            final int end = (int) range;
            if (n > 0 && start <= out[n - 1] + 1) {
                out[n - 1] = Math.max(out[n - 1], end);
            } else {
                out[n++] = start;
                out[n++] = end;
            }
        }
        return Arrays.copyOf(out, n);
    }
}
