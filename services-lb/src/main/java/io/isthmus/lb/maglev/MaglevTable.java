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
     * {@code (offset + j * skip) mod M} for every j.
     */
    private static int[] fill(int[] position, int[] skip, int sizeM) {
        int n = position.length;
        int[] entries = new int[sizeM];
        java.util.Arrays.fill(entries, -1);
        int filled = 0;
        while (true) {
            for (int i = 0; i < n; i++) {
                int c = position[i];
                int s = skip[i];
                while (entries[c] >= 0) {
                    c += s;
                    if (c >= sizeM) {
                        c -= sizeM;
                    }
                }
                entries[c] = i;
                c += s;
                position[i] = c >= sizeM ? c - sizeM : c;
                if (++filled == sizeM) {
                    return entries;
                }
            }
        }
    }

    /** The entry index for a flow: {@code flowHash mod M}, treating the hash as unsigned. */
    public static int entryIndex(int flowHash, int sizeM) {
        return (int) ((flowHash & 0xffff_ffffL) % sizeM);
    }
}
