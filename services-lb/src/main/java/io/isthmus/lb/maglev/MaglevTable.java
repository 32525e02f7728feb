package io.isthmus.lb.maglev;

/**
 * Maglev consistent hashing (Eisenbud et al., "Maglev: A Fast and Reliable Software Network Load
 * Balancer", NSDI '16, section 3.4): a lookup table of prime size M whose entries are backend
 * indexes, filled so that each backend owns close to M/N entries and removing a backend moves
 * little more than its own share of flows.
 *
 * <p>Build: each backend i has a permutation of 0..M-1, {@code perm_i[j] = (offset_i + j * skip_i)
 * mod M}, from the two hashes of its name. Backends take turns claiming the next entry of their
 * permutation that is still free until all M entries are taken. Lookup: {@code table[flowHash mod M]}.
 * Weights are not supported (every backend has weight 1).
 *
 * <p>Thread-safety: {@link #build} is a pure function; the array it returns is not shared until
 * it is published inside an immutable table.
 */
public final class MaglevTable {

    private MaglevTable() {
    }

    /**
     * Builds a table of {@code sizeM} entries for the given backend names.
     *
     * @param backendNames distinct names (e.g. "10.0.0.1:8080"), at least one
     * @param sizeM        a prime, greater than the number of backends
     * @return entries; entry e holds the index (into {@code backendNames}) of the backend for
     *         flows with {@code flowHash mod M == e}
     */
    public static int[] build(String[] backendNames, int sizeM) {
        int n = backendNames.length;
        if (n == 0) {
            throw new IllegalArgumentException("a Maglev table needs at least one backend");
        }
        if (!MaglevSizing.isPrime(sizeM) || sizeM <= n) {
            throw new IllegalArgumentException("Maglev size " + sizeM + " must be a prime larger than the backend count " + n);
        }
        int[] position = new int[n];
        int[] skip = new int[n];
        for (int i = 0; i < n; i++) {
            position[i] = (int) Long.remainderUnsigned(MaglevHash.offsetHash(backendNames[i]), sizeM);
            skip[i] = (int) Long.remainderUnsigned(MaglevHash.skipHash(backendNames[i]), sizeM - 1) + 1;
        }
        return fill(position, skip, sizeM);
    }

    /**
     * The permutation fill of the paper's Pseudocode 1. {@code position[i]} walks backend i's
     * permutation incrementally (add skip, subtract M on overflow) instead of computing
     * {@code (offset + j * skip) mod M} for every j. Which entries are taken is kept in a bitmap
     * (8 KiB for M = 65,537, so it stays in L1) because the walk probes ~M·ln M entries in all.
     */
    private static int[] fill(int[] position, int[] skip, int sizeM) {
        int n = position.length;
        int[] entries = new int[sizeM];
        long[] taken = new long[(sizeM + 63) >>> 6];
        int filled = 0;
        while (true) {
            for (int i = 0; i < n; i++) {
                int c = position[i];
                int s = skip[i];
                while ((taken[c >>> 6] & (1L << c)) != 0) {
                    c += s;
                    if (c >= sizeM) {
                        c -= sizeM;
                    }
                }
                taken[c >>> 6] |= 1L << c;
                entries[c] = i;
                c += s;
                position[i] = c >= sizeM ? c - sizeM : c;
                if (++filled == sizeM) {
                    return entries;
                }
            }
        }
    }

    /**
     * Minimal-disruption update: a table for {@code newNames} that keeps every entry of
     * {@code previous} whose backend is still present, and hands out only the entries that must
     * change. Removing one of N backends moves exactly its own ~M/N entries (the paper's full
     * rebuild moves more: every backend's later claims shift, measured at 1.5/N for N = 100 and
     * about 6.5/N for N = 1,000 with M = 65,537; see services-lb/README.md).
     *
     * <p>Each backend gets a quota of floor(M/N) or ceil(M/N) entries (ceil going to those that
     * already hold the most), so balance is as good as a full build. Backends above quota give up
     * the entries they prefer least (latest in their permutation); backends below quota then take
     * turns claiming their most preferred free entries, as in the paper's fill.
     *
     * <p>The result depends on history, not only on the backend set: two nodes that saw different
     * changes may hold different tables, and a restart (no previous table) rebuilds from scratch.
     * Conntrack keeps established flows where they are either way.
     *
     * @param previous      entries of the previous table, indexes into {@code previousNames}
     * @param previousNames the backends of the previous table
     * @param newNames      the backends now, at least one
     * @param sizeM         M of the previous table (a different M needs {@link #build})
     */
    public static int[] update(int[] previous, String[] previousNames, String[] newNames, int sizeM) {
        int n = newNames.length;
        if (previous.length != sizeM) {
            throw new IllegalArgumentException("previous table has " + previous.length + " entries, not M = " + sizeM);
        }
        if (n == 0 || sizeM <= n || !MaglevSizing.isPrime(sizeM)) {
            throw new IllegalArgumentException("Maglev size " + sizeM + " must be a prime larger than the backend count " + n);
        }
        java.util.Map<String, Integer> newIndex = new java.util.HashMap<>(n * 2);
        for (int i = 0; i < n; i++) {
            newIndex.put(newNames[i], i);
        }
        int[] remap = new int[previousNames.length];
        for (int i = 0; i < previousNames.length; i++) {
            remap[i] = newIndex.getOrDefault(previousNames[i], -1);
        }
        int[] entries = new int[sizeM];
        int[] count = new int[n];
        for (int e = 0; e < sizeM; e++) {
            int owner = remap[previous[e]];
            entries[e] = owner;
            if (owner >= 0) {
                count[owner]++;
            }
        }
        int[] quota = quotas(count, sizeM);
        int[] offset = new int[n];
        int[] skip = new int[n];
        for (int i = 0; i < n; i++) {
            offset[i] = (int) Long.remainderUnsigned(MaglevHash.offsetHash(newNames[i]), sizeM);
            skip[i] = (int) Long.remainderUnsigned(MaglevHash.skipHash(newNames[i]), sizeM - 1) + 1;
        }
        releaseExcess(entries, count, quota, offset, skip, sizeM);
        claimFree(entries, count, quota, offset, skip, sizeM);
        return entries;
    }

    /** floor(M/N) each, plus one for the M mod N backends holding the most entries now. */
    private static int[] quotas(int[] count, int sizeM) {
        int n = count.length;
        Integer[] byCount = new Integer[n];
        for (int i = 0; i < n; i++) {
            byCount[i] = i;
        }
        java.util.Arrays.sort(byCount, (a, b) -> count[a] != count[b] ? Integer.compare(count[b], count[a]) : Integer.compare(a, b));
        int[] quota = new int[n];
        int base = sizeM / n;
        int extra = sizeM % n;
        for (int rank = 0; rank < n; rank++) {
            quota[byCount[rank]] = base + (rank < extra ? 1 : 0);
        }
        return quota;
    }

    /** Frees each over-quota backend's least preferred entries (highest position in its permutation). */
    private static void releaseExcess(int[] entries, int[] count, int[] quota, int[] offset, int[] skip, int sizeM) {
        int n = count.length;
        for (int i = 0; i < n; i++) {
            int excess = count[i] - quota[i];
            if (excess <= 0) {
                continue;
            }
            // walk the permutation backwards from its last position: (offset + (M-1-j)·skip) mod M
            long c = (offset[i] + (long) (sizeM - 1) * skip[i]) % sizeM;
            for (int j = 0; j < sizeM && excess > 0; j++) {
                if (entries[(int) c] == i) {
                    entries[(int) c] = -1;
                    count[i]--;
                    excess--;
                }
                c -= skip[i];
                if (c < 0) {
                    c += sizeM;
                }
            }
        }
    }

    /** Under-quota backends take turns claiming their most preferred free entry. */
    private static void claimFree(int[] entries, int[] count, int[] quota, int[] offset, int[] skip, int sizeM) {
        int n = count.length;
        int[] position = offset.clone();
        long[] taken = new long[(sizeM + 63) >>> 6];
        for (int e = 0; e < sizeM; e++) {
            if (entries[e] >= 0) {
                taken[e >>> 6] |= 1L << e;
            }
        }
        int missing = 0;
        for (int i = 0; i < n; i++) {
            missing += quota[i] - count[i];
        }
        while (missing > 0) {
            for (int i = 0; i < n && missing > 0; i++) {
                if (count[i] >= quota[i]) {
                    continue;
                }
                int c = position[i];
                int s = skip[i];
                while ((taken[c >>> 6] & (1L << c)) != 0) {
                    c += s;
                    if (c >= sizeM) {
                        c -= sizeM;
                    }
                }
                taken[c >>> 6] |= 1L << c;
                entries[c] = i;
                count[i]++;
                missing--;
                c += s;
                position[i] = c >= sizeM ? c - sizeM : c;
            }
        }
    }

    /** The entry index for a flow: {@code flowHash mod M}, treating the hash as unsigned. */
    public static int entryIndex(int flowHash, int sizeM) {
        return Integer.remainderUnsigned(flowHash, sizeM);
    }
}
