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
 * (MaglevTable.update keeps the survivors' entries). <em>Paired sets</em> (more than
 * {@code smallSetMaxBackends}, at most {@code pairedSetMaxBackends} backends) get the largest prime M
 * that a paired frontend bucket and its backend line hold ({@link #pairedCapacity}: 60 + 2 (64 - 4 N)
 * four-bit entries) and that keeps the share moved by removing one backend, ceil(M/N)/M, within
 * 1.2/N: 151 for 4 backends, 107 for 10, 59 for 16, so that their decision reads two lines instead
 * of three. The price is coarser shares (each backend holds floor(M/N) or ceil(M/N) entries: within
 * about 5% of its share at 10 backends, 8% over and 19% under at 16). Other sets (and every set
 * without paired sets): 401 for 4 backends (and 307 for 3 without small sets), 1,009 for 10, and
 * 65,537 for 656 backends or more. {@link #fixed(int)} gives every table the same M.
 *
 * @param minSizeM            smallest M handed out to a set that is not small (a prime)
 * @param maxSizeM            largest M handed out (a prime)
 * @param entriesPerBackend   the M/N ratio aimed for
 * @param smallSetMaxBackends sets of at most this many backends get {@code smallSetSizeM} (0: none)
 * @param smallSetSizeM       M of a small set (a prime larger than {@code smallSetMaxBackends})
 * @param pairedSetMaxBackends sets of more than {@code smallSetMaxBackends} and at most this many
 *                             backends get the paired size (0: none; at most 16)
 */
public record MaglevSizing(int minSizeM, int maxSizeM, int entriesPerBackend, int smallSetMaxBackends, int smallSetSizeM,
                           int pairedSetMaxBackends) {

    public static final int DEFAULT_MAX_SIZE_M = 65_537;

    /** M of a set of 1 to 3 backends in {@link #ADAPTIVE}: what a compact frontend bucket holds. */
    public static final int SMALL_SET_SIZE_M = 71;
    public static final int SMALL_SET_MAX_BACKENDS = 3;

    /** The most backends a paired frontend bucket's backend line holds (ServiceTableDescriptor.PAIRED_MAX_BACKENDS). */
    public static final int PAIRED_SET_MAX_BACKENDS = 16;

    public static final MaglevSizing ADAPTIVE = new MaglevSizing(251, DEFAULT_MAX_SIZE_M, 100, SMALL_SET_MAX_BACKENDS, SMALL_SET_SIZE_M,
            PAIRED_SET_MAX_BACKENDS);

    public MaglevSizing {
        if (!isPrime(minSizeM) || !isPrime(maxSizeM) || minSizeM > maxSizeM || entriesPerBackend < 1
                || smallSetMaxBackends < 0 || (smallSetMaxBackends > 0 && (!isPrime(smallSetSizeM) || smallSetSizeM <= smallSetMaxBackends))
                || pairedSetMaxBackends < 0 || pairedSetMaxBackends > PAIRED_SET_MAX_BACKENDS) {
            throw new IllegalArgumentException("bad Maglev sizing: min " + minSizeM + " max " + maxSizeM + " per backend " + entriesPerBackend
                    + " small sets up to " + smallSetMaxBackends + " backends at M " + smallSetSizeM
                    + " paired sets up to " + pairedSetMaxBackends + " backends (at most " + PAIRED_SET_MAX_BACKENDS + ")");
        }
    }

    /** No paired sets. */
    public MaglevSizing(int minSizeM, int maxSizeM, int entriesPerBackend, int smallSetMaxBackends, int smallSetSizeM) {
        this(minSizeM, maxSizeM, entriesPerBackend, smallSetMaxBackends, smallSetSizeM, 0);
    }

    /** No small-set or paired size: M = the smallest prime ≥ max(minSizeM, entriesPerBackend × N), capped. */
    public MaglevSizing(int minSizeM, int maxSizeM, int entriesPerBackend) {
        this(minSizeM, maxSizeM, entriesPerBackend, 0, 0, 0);
    }

    /**
     * The most Maglev entries a paired frontend bucket and its backend line hold for
     * {@code backendCount} backends: 60 in the bucket, and 2 per byte of the line its backends'
     * IPv4 addresses leave (ServiceTableDescriptor.pairedCapacity, repeated here so that this
     * package does not depend on the table's); 0 above 16 backends.
     */
    public static int pairedCapacity(int backendCount) {
        return backendCount < 1 || backendCount > PAIRED_SET_MAX_BACKENDS ? 0 : 60 + 2 * (64 - 4 * backendCount);
    }

    /**
     * Whether removing one of {@code backendCount} backends from a table of M entries moves at most
     * 1.2/N of the flows: MaglevTable.update moves only the removed backend's entries, at most
     * ceil(M/N) of M.
     */
    public static boolean removalMovesAtMost1point2OverN(int sizeM, int backendCount) {
        long most = (sizeM + (long) backendCount - 1) / backendCount;
        return most * backendCount * 5 <= 6L * sizeM;
    }

    /** The largest prime M ≤ {@link #pairedCapacity} that keeps a removal within 1.2/N, or 0 when there is none. */
    static int pairedSizeFor(int backendCount) {
        for (int m = Math.min(pairedCapacity(backendCount), 255); m > backendCount; m--) {
            if (isPrime(m) && removalMovesAtMost1point2OverN(m, backendCount)) {
                return m;
            }
        }
        return 0;
    }

    /** Whether a set of {@code backendCount} backends with this M fits a one-line or two-line frontend bucket of this policy. */
    public boolean fitsLineBuckets(int backendCount, int sizeM) {
        return (backendCount <= smallSetMaxBackends && sizeM == smallSetSizeM)
                || (backendCount <= pairedSetMaxBackends && sizeM > backendCount && sizeM <= Math.min(255, pairedCapacity(backendCount)));
    }

    public static MaglevSizing fixed(int sizeM) {
        return new MaglevSizing(sizeM, sizeM, 1);
    }

    /** M for {@code backendCount} backends; always larger than the count (else the build throws). */
    public int sizeFor(int backendCount) {
        if (backendCount <= smallSetMaxBackends) {
            return smallSetSizeM;
        }
        if (backendCount <= pairedSetMaxBackends) {
            int paired = pairedSizeFor(backendCount);
            if (paired > 0) {
                return paired;
            }
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
