package io.isthmus.policy.compile;

import java.nio.IntBuffer;
import java.util.ArrayList;
import java.util.Arrays;
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
 * <p><b>Thread-safety:</b> written only by the compiler's thread. Sets are append-only: a
 * snapshot keeps a reference to the bitmap array of its time and reads only the sets that
 * existed then, which are never written again, so readers need no synchronisation beyond the
 * snapshot's safe publication. (Sets no longer used stay until the pool is rebuilt.)
 */
final class PortSetPool {
    static final int NONE = 0;
    static final int ALL = 1;
    static final int LONGS_PER_SET = 1024;

    private final List<int[]> ranges = new ArrayList<>();
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

    int size() {
        return ranges.size();
    }

    /** The ranges as text: "80,443,8000-8080" or "*" or "-". */
    String describe(int id) {
        if (id == ALL) {
            return "*";
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
        final int id = ranges.size();
        ranges.add(normalised);
        ids.put(key, id);
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
