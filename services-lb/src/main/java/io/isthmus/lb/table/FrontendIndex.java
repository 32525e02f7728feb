package io.isthmus.lb.table;

import static io.isthmus.lb.table.ServiceTableDescriptor.ADDRESS_HI;
import static io.isthmus.lb.table.ServiceTableDescriptor.ADDRESS_LO;
import static io.isthmus.lb.table.ServiceTableDescriptor.BUCKET_BYTES;
import static io.isthmus.lb.table.ServiceTableDescriptor.KEY_TAG;

import io.isthmus.lb.maglev.MaglevHash;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.concurrent.ThreadLocalRandom;

/**
 * (address, port, protocol) → frontend id: a <em>perfect</em> hash over 64-byte buckets at the
 * start of the table's off-heap region, load factor at most 1/4 — every key sits in its home
 * bucket, so a lookup reads one bucket and compares once, with no probe loop. Each bucket holds
 * the key and the frontend's slot 0 ({@link ServiceTableDescriptor}), so a hit leaves everything a
 * decision needs before choosing a backend in one cache line. No boxing, no allocation per lookup.
 *
 * <p>The hash is "hash and displace" (Belazzougui, Botelho, Dietzfelbinger, CHD): a key's 64-bit
 * hash {@code h = fmix64(hi * a + lo * b + tag)} (fixed odd multipliers, random ones for a set of
 * keys that collides under them: {@link #place}) names a group (its top bits; one group per {@value #BUCKETS_PER_GROUP} buckets),
 * and the key's home is {@code (lo32(h) + d * (hi32(h) | 1)) mod capacity}, where {@code d} is the
 * group's displacement (one byte, {@link #displacements}). The table is immutable, so the builder
 * knows every key beforehand: it places the largest groups first, each with the first {@code d}
 * that puts all its keys in free buckets ({@link #place}). Until session 6 the index was linear
 * probing: 8-12% of the keys of a 1,000- or 10,000-Service table sat a bucket or more past their
 * home, and each of their lookups paid a mispredicted probe loop (and sometimes a second line):
 * about 2 ns per decision on average, the largest part of what 10,000 Services cost more than 10
 * (benchmarks/RESULTS.md, "Session 6 (lb)").
 *
 * <p>A stage looking up a batch splits {@link #find} in three passes: {@link #home} for every key
 * (arithmetic and a read of the small displacement array), {@link #touch} for every home bucket
 * (loads nothing waits on, so the batch's misses overlap), {@link #findFrom} for every key (from
 * lines already loaded).
 *
 * <p>The region ({@link TableMemory}) is freed by the table's owner once no worker can read it
 * ({@link ServiceTable#free()}), or by a cleaner once unreachable.
 *
 * <p>Thread-safety: written only while the builder fills it, before publication; then read-only,
 * by any number of workers.
 */
final class FrontendIndex {

    /** Buckets per displacement byte: 4 KiB of displacements for the 65,536 buckets of 10,000 frontends. */
    static final int BUCKETS_PER_GROUP = 16;
    /** Displacements tried per group before the builder doubles the capacity (never needed at load factor 1/4 in practice). */
    private static final int DISPLACEMENTS = 256;
    /** Placements tried: the default multipliers, then random ones, then (from the fifth) at twice the capacity. */
    private static final int ATTEMPTS = 8;
    private static final long DEFAULT_MULTIPLIER_HI = 0x9e3779b97f4a7c15L;
    private static final long DEFAULT_MULTIPLIER_LO = 0xc2b2ae3d27d4eb4fL;

    private final MemorySegment buckets;
    private final int mask;
    private final byte[] displacements;
    private final int groupShift;
    private final long multiplierHi;
    private final long multiplierLo;

    /**
     * @param region zeroed, 64-byte aligned, at least {@code placement.capacityBuckets() * BUCKET_BYTES} long; the buckets start at 0
     */
    FrontendIndex(MemorySegment region, Placement placement) {
        this.buckets = region;
        this.mask = placement.capacityBuckets() - 1;
        this.displacements = placement.displacements();
        this.groupShift = placement.groupShift();
        this.multiplierHi = placement.multiplierHi();
        this.multiplierLo = placement.multiplierLo();
    }

    /**
     * Where each key goes: the capacity, the groups' displacements, the shift that gives a hash's
     * group, the hash's two multipliers, and each key's bucket (its frontend id), by the key's
     * position in {@link #place}.
     */
    record Placement(int capacityBuckets, byte[] displacements, int groupShift, long multiplierHi, long multiplierLo,
                     int[] bucketOfKey) {

        /** The bucket (frontend id) of key {@code i} as passed to {@link #place}. */
        int bucketOf(int i) {
            return bucketOfKey[i];
        }
    }

    /**
     * Buckets for {@code frontends} frontends: a power of two, load factor at most 1/4 (more than
     * 1/8), at least 32. Only the occupied buckets' lines are ever read, so the emptier table
     * costs address space, not cache; what it buys is that every group finds a displacement
     * quickly (and, before the perfect hash, that probes ended at the home bucket).
     */
    static int capacityFor(int frontends) {
        return Integer.highestOneBit(Math.max(16, frontends * 4 - 1)) << 1;
    }

    /**
     * Places distinct keys: each in a bucket of its own that {@link #home} finds. Two distinct keys
     * whose hashes are equal cannot be placed; the hash is {@code fmix64(hi * a + lo * b + tag)},
     * so a Service's author who knows {@code a} and {@code b} could pick two external IPs that
     * collide. So the first attempt uses fixed multipliers (the same frontend ids for the same
     * keys, run after run), and when it fails the next ones draw random odd multipliers (nobody
     * can pick keys against them), then double the capacity.
     *
     * @throws IllegalStateException when every attempt fails (not seen; it would take keys that
     *                               collide under several random multipliers)
     */
    static Placement place(long[] addressHi, long[] addressLo, int[] keyTags, int keys) {
        long[] hashes = new long[keys];
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            long multiplierHi = attempt == 0 ? DEFAULT_MULTIPLIER_HI : ThreadLocalRandom.current().nextLong() | 1;
            long multiplierLo = attempt == 0 ? DEFAULT_MULTIPLIER_LO : ThreadLocalRandom.current().nextLong() | 1;
            for (int i = 0; i < keys; i++) {
                hashes[i] = hash(addressHi[i], addressLo[i], keyTags[i], multiplierHi, multiplierLo);
            }
            int capacity = capacityFor(keys) << (attempt < ATTEMPTS / 2 ? 0 : 1);
            Placement p = tryPlace(hashes, keys, capacity, multiplierHi, multiplierLo);
            if (p != null) {
                return p;
            }
        }
        throw new IllegalStateException("no perfect hash for " + keys + " frontend keys after " + ATTEMPTS + " attempts");
    }

    /** Places every key with a capacity of {@code capacity} buckets, or null when some group finds no displacement. */
    private static Placement tryPlace(long[] hashes, int keys, int capacity, long multiplierHi, long multiplierLo) {
        final int groups = capacity / BUCKETS_PER_GROUP;
        final int groupShift = 64 - Integer.numberOfTrailingZeros(groups);
        final int mask = capacity - 1;
        // keys by group (counting sort), then groups by size, largest first
        int[] groupStart = new int[groups + 1];
        for (int i = 0; i < keys; i++) {
            groupStart[(int) (hashes[i] >>> groupShift) + 1]++;
        }
        int largest = 0;
        for (int g = 0; g < groups; g++) {
            largest = Math.max(largest, groupStart[g + 1]);
            groupStart[g + 1] += groupStart[g];
        }
        int[] members = new int[keys];
        int[] fill = Arrays.copyOf(groupStart, groups);
        for (int i = 0; i < keys; i++) {
            members[fill[(int) (hashes[i] >>> groupShift)]++] = i;
        }
        int[] bySizeStart = new int[largest + 2];
        for (int g = 0; g < groups; g++) {
            bySizeStart[largest - (groupStart[g + 1] - groupStart[g]) + 1]++;
        }
        for (int s = 0; s <= largest; s++) {
            bySizeStart[s + 1] += bySizeStart[s];
        }
        int[] order = new int[groups];
        for (int g = 0; g < groups; g++) {
            order[bySizeStart[largest - (groupStart[g + 1] - groupStart[g])]++] = g;
        }
        boolean[] taken = new boolean[capacity];
        byte[] displacements = new byte[groups];
        int[] bucketOfKey = new int[keys];
        for (int g : order) {
            int from = groupStart[g];
            int to = groupStart[g + 1];
            if (from == to) {
                break; // the rest are empty
            }
            int d = 0;
            for (; d < DISPLACEMENTS; d++) {
                int placed = from;
                while (placed < to) {
                    long h = hashes[members[placed]];
                    int b = home(h, d, mask);
                    if (taken[b]) {
                        break;
                    }
                    taken[b] = true;
                    bucketOfKey[members[placed]] = b;
                    placed++;
                }
                if (placed == to) {
                    break;
                }
                for (int j = from; j < placed; j++) {
                    taken[bucketOfKey[members[j]]] = false;
                }
            }
            if (d == DISPLACEMENTS) {
                return null;
            }
            displacements[g] = (byte) d;
        }
        return new Placement(capacity, displacements, groupShift, multiplierHi, multiplierLo, bucketOfKey);
    }

    /** The whole table region; the buckets are its first {@code capacityBuckets() * BUCKET_BYTES} bytes. */
    MemorySegment region() {
        return buckets;
    }

    /** Writes a key into the bucket {@link #place} gave it. */
    void write(int bucket, long addressHi, long addressLo, int keyTag) {
        long at = (long) bucket * BUCKET_BYTES;
        buckets.set(ValueLayout.JAVA_LONG, at + ADDRESS_HI, addressHi);
        buckets.set(ValueLayout.JAVA_LONG, at + ADDRESS_LO, addressLo);
        buckets.set(ValueLayout.JAVA_INT, at + KEY_TAG, keyTag);
    }

    /** The frontend id (bucket index) for the key, or -1. */
    int find(long addressHi, long addressLo, int keyTag) {
        return findFrom(home(addressHi, addressLo, keyTag), addressHi, addressLo, keyTag);
    }

    /** The key's home bucket, the only one it can be in (no read of the region; one read of the displacements). */
    int home(long addressHi, long addressLo, int keyTag) {
        long h = hash(addressHi, addressLo, keyTag, multiplierHi, multiplierLo);
        return home(h, displacements[(int) (h >>> groupShift)] & 0xff, mask);
    }

    /** Loads a home bucket's line (its key tag, returned to sink): a read nothing waits on, so a batch's misses overlap. */
    int touch(int home) {
        return buckets.get(ValueLayout.JAVA_INT, (long) home * BUCKET_BYTES + KEY_TAG);
    }

    /** {@link #find}, from the key's {@link #home} bucket: one compare, no loop (the key is there or nowhere). */
    int findFrom(int home, long addressHi, long addressLo, int keyTag) {
        final MemorySegment m = buckets;
        final long at = (long) home * BUCKET_BYTES;
        final boolean hit = (m.get(ValueLayout.JAVA_INT, at + KEY_TAG) == keyTag)
                & (m.get(ValueLayout.JAVA_LONG, at + ADDRESS_LO) == addressLo)
                & (m.get(ValueLayout.JAVA_LONG, at + ADDRESS_HI) == addressHi);
        return hit ? home : -1;
    }

    int capacityBuckets() {
        return mask + 1;
    }

    private static int home(long h, int displacement, int mask) {
        return ((int) h + displacement * ((int) (h >>> 32) | 1)) & mask;
    }

    private static long hash(long hi, long lo, int keyTag, long multiplierHi, long multiplierLo) {
        return MaglevHash.fmix64(hi * multiplierHi + lo * multiplierLo + keyTag);
    }
}
