package io.isthmus.lb.maglev;

/**
 * How large a Maglev table a backend set gets.
 *
 * <p>The paper asks for M much larger than N (M ≥ 100·N keeps each backend's share within about
 * 1% of M/N). Giving every Service the full M = 65,537 costs 128 KiB per table (16-bit entries) —
 * 1.3 GB for 10,000 Services — and a decision's Maglev read would miss the caches and the TLB far
 * more often. So the default is <em>adaptive</em>: the smallest prime that is at least
 * {@code entriesPerBackend × N} and at least {@code minSizeM}, capped at {@code maxSizeM}
 * (65,537): 251 for 1 or 2 backends, 307 for 3, 1,009 for 10, and 65,537 for 656 backends or more.
 * {@link #fixed(int)} gives every table the same M.
 *
 * @param minSizeM          smallest M handed out (a prime)
 * @param maxSizeM          largest M handed out (a prime)
 * @param entriesPerBackend the M/N ratio aimed for
 */
public record MaglevSizing(int minSizeM, int maxSizeM, int entriesPerBackend) {

    public static final int DEFAULT_MAX_SIZE_M = 65_537;

    public static final MaglevSizing ADAPTIVE = new MaglevSizing(251, DEFAULT_MAX_SIZE_M, 100);

    public MaglevSizing {
        if (!isPrime(minSizeM) || !isPrime(maxSizeM) || minSizeM > maxSizeM || entriesPerBackend < 1) {
            throw new IllegalArgumentException("bad Maglev sizing: min " + minSizeM + " max " + maxSizeM + " per backend " + entriesPerBackend);
        }
    }

    public static MaglevSizing fixed(int sizeM) {
        return new MaglevSizing(sizeM, sizeM, 1);
    }

    /** M for {@code backendCount} backends; always larger than the count (else the build throws). */
    public int sizeFor(int backendCount) {
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
