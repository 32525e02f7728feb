package io.isthmus.lb.maglev;

import java.nio.charset.StandardCharsets;

/**
 * The two independent hashes of a backend name that the Maglev paper (Eisenbud et al., NSDI '16,
 * section 3.4) derives a backend's permutation from: {@code offset = h1(name) mod M} and
 * {@code skip = h2(name) mod (M - 1) + 1}.
 *
 * <p>Each is 64-bit FNV-1a over the UTF-8 bytes with its own seed, finished with the MurmurHash3
 * 64-bit finaliser so every output bit depends on every input bit. Names, not positions, are
 * hashed, so a backend keeps its permutation when others come and go.
 */
public final class MaglevHash {

    private static final long FNV_PRIME = 0x100000001b3L;
    private static final long SEED_OFFSET = 0xcbf29ce484222325L;
    private static final long SEED_SKIP = 0x9e3779b97f4a7c15L;

    private MaglevHash() {
    }

    public static long offsetHash(String backendName) {
        return fnv1aMixed(backendName, SEED_OFFSET);
    }

    public static long skipHash(String backendName) {
        return fnv1aMixed(backendName, SEED_SKIP);
    }

    private static long fnv1aMixed(String name, long seed) {
        long h = seed;
        for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= FNV_PRIME;
        }
        return fmix64(h);
    }

    /** MurmurHash3's 64-bit finaliser. */
    public static long fmix64(long k) {
        k ^= k >>> 33;
        k *= 0xff51afd7ed558ccdL;
        k ^= k >>> 33;
        k *= 0xc4ceb9fe1a85ec53L;
        k ^= k >>> 33;
        return k;
    }
}
