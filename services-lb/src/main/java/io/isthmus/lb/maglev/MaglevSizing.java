package io.isthmus.lb.maglev;

/**
 * How large a Maglev table a backend set gets.
 *
 * <p>The paper asks for M much larger than N (M ≥ 100·N keeps each backend's share within about
 * 1% of M/N). Giving every Service the full M = 65,537 costs 128 KiB per table (16-bit entries) —
 * 1.3 GB for 10,000 Services — and a decision's Maglev read would miss the caches and the TLB far
 * more often. So the default is <em>adaptive</em>: the smallest prime that is at least
 * {@code entriesPerBackend × N} and at least {@code minSizeM}, capped at {@code maxSizeM}
 * (65,537), except that
 * <em>small sets</em> (at most {@code smallSetMaxBackends} backends) get {@code smallSetSizeM}: in
 * {@link #ADAPTIVE}, M = 71 for 1 to 3 backends, the size of the Maglev table a one-line
 * ("compact") frontend bucket holds (ServiceTableDescriptor), so that the decision for the most
 * common Services reads one cache line. With 71 entries each of 3 backends gets 23 or 24 (its share
 * within 1 entry, about 4%), and removing one of them moves 23-24/71 = 1.01/N of the flows
 * (MaglevTable.update keeps the survivors' entries). Other sets: 401 for 4 backends (and 307 for 3
 * without small sets), 1,009 for 10, and 65,537 for 656 backends or more. {@link #fixed(int)} gives every
 * table the same M.
 *
 * @param minSizeM            smallest M handed out to a set that is not small (a prime)
 * @param maxSizeM            largest M handed out (a prime)
 * @param entriesPerBackend   the M/N ratio aimed for
 * @param smallSetMaxBackends sets of at most this many backends get {@code smallSetSizeM} (0: none)
 * @param smallSetSizeM       M of a small set (a prime larger than {@code smallSetMaxBackends})
 */
public record MaglevSizing(int minSizeM, int maxSizeM, int entriesPerBackend, int smallSetMaxBackends, int smallSetSizeM) {

    public static final int DEFAULT_MAX_SIZE_M = 65_537;

    /** M of a set of 1 to 3 backends in {@link #ADAPTIVE}: what a compact frontend bucket holds. */
    public static final int SMALL_SET_SIZE_M = 71;
    public static final int SMALL_SET_MAX_BACKENDS = 3;

    public static final MaglevSizing ADAPTIVE = new MaglevSizing(251, DEFAULT_MAX_SIZE_M, 100, SMALL_SET_MAX_BACKENDS, SMALL_SET_SIZE_M);

    public MaglevSizing {
        if (!isPrime(minSizeM) || !isPrime(maxSizeM) || minSizeM > maxSizeM || entriesPerBackend < 1
                || smallSetMaxBackends < 0 || (smallSetMaxBackends > 0 && (!isPrime(smallSetSizeM) || smallSetSizeM <= smallSetMaxBackends))) {
            throw new IllegalArgumentException("bad Maglev sizing: min " + minSizeM + " max " + maxSizeM + " per backend " + entriesPerBackend
                    + " small sets up to " + smallSetMaxBackends + " backends at M " + smallSetSizeM);
        }
    }

    /** No small-set size: M = the smallest prime ≥ max(minSizeM, entriesPerBackend × N), capped. */
    public MaglevSizing(int minSizeM, int maxSizeM, int entriesPerBackend) {
        this(minSizeM, maxSizeM, entriesPerBackend, 0, 0);
    }

    public static MaglevSizing fixed(int sizeM) {
        return new MaglevSizing(sizeM, sizeM, 1);
    }

    /** M for {@code backendCount} backends; always larger than the count (else the build throws). */
    public int sizeFor(int backendCount) {
        if (backendCount <= smallSetMaxBackends) {
            return smallSetSizeM;
        }
        long wanted = Math.max((long) minSizeM, (long) entriesPerBackend * backendCount);
        if (wanted >= maxSizeM) {
            return maxSizeM;
        }
        int m = (int) wanted;
        while (!isPrime(m)) {
            m++;
        }
        return Math.min(m, maxSizeM);
    }

    public static boolean isPrime(int v) {
        if (v < 2) {
            return false;
        }
        for (int d = 2; (long) d * d <= v; d++) {
            if (v % d == 0) {
                return false;
            }
        }
        return true;
    }
}
