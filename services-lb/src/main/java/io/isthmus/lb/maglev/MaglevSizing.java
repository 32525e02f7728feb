package io.isthmus.lb.maglev;

/**
 * How large a Maglev table a backend set gets.
 *
 * <p>The paper asks for M much larger than N (M ≥ 100·N keeps each backend's share within about
 * 1% of M/N). Giving every Service the full M = 65,537 costs 256 KiB per table — 2.6 GB for
 * 10,000 Services — so the default is <em>adaptive</em>: the smallest prime of
 * {@link #PRIMES} that is at least {@code entriesPerBackend × N}, at least {@code minSizeM},
 * capped at {@code maxSizeM} (65,537). Any Service with 656 or more backends gets 65,537.
 * {@link #fixed(int)} gives every table the same M.
 *
 * @param minSizeM          smallest M handed out (a prime)
 * @param maxSizeM          largest M handed out (a prime)
 * @param entriesPerBackend the M/N ratio aimed for
 */
public record MaglevSizing(int minSizeM, int maxSizeM, int entriesPerBackend) {

    /** Primes near powers of two, the sizes tables are drawn from (65,537 = 2^16 + 1, a Fermat prime). */
    public static final int[] PRIMES = {251, 509, 1021, 2039, 4093, 8191, 16381, 32749, 65537, 131071};

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
        if (wanted <= minSizeM) {
            return minSizeM;
        }
        for (int p : PRIMES) {
            if (p >= wanted && p <= maxSizeM) {
                return p;
            }
        }
        return maxSizeM;
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
