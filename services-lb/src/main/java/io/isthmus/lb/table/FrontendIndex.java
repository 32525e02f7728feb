package io.isthmus.lb.table;

import static io.isthmus.lb.table.ServiceTableDescriptor.ADDRESS_HI;
import static io.isthmus.lb.table.ServiceTableDescriptor.ADDRESS_LO;
import static io.isthmus.lb.table.ServiceTableDescriptor.BUCKET_BYTES;
import static io.isthmus.lb.table.ServiceTableDescriptor.KEY_TAG;

import io.isthmus.lb.maglev.MaglevHash;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * (address, port, protocol) → frontend id: open addressing with linear probing over 64-byte
 * buckets at the start of the table's off-heap region, load factor at most 1/4. Each bucket holds
 * the key and the frontend's slot 0 ({@link ServiceTableDescriptor}), so a hit leaves everything a
 * decision needs before choosing a backend in one cache line. No boxing, no allocation per lookup;
 * a probe sequence is bounded by the capacity.
 *
 * <p>A stage looking up a batch splits {@link #find} in three passes: {@link #home} for every key
 * (arithmetic), {@link #touch} for every home bucket (loads nothing waits on, so the batch's
 * misses overlap), {@link #findFrom} for every key (from lines already loaded).
 *
 * <p>The region ({@link TableMemory}) is freed by the table's owner once no worker can read it
 * ({@link ServiceTable#free()}), or by a cleaner once unreachable.
 *
 * <p>Thread-safety: written only while the builder fills it, before publication; then read-only,
 * by any number of workers.
 */
final class FrontendIndex {

    private final MemorySegment buckets;
    private final int mask;

    /** @param region zeroed, 64-byte aligned, at least {@code capacityBuckets * BUCKET_BYTES} long; the buckets start at 0 */
    FrontendIndex(MemorySegment region, int capacityBuckets) {
        this.buckets = region;
        this.mask = capacityBuckets - 1;
    }

    /**
     * Buckets for {@code frontends} frontends: a power of two, load factor at most 1/4 (more than
     * 1/8). Only the occupied buckets' lines are ever read, so the emptier table costs address
     * space, not cache; what it buys is probes that end at the home bucket: a second probe is a
     * second dependent miss, and a probe loop whose length varies mispredicts. Measured
     * (DecisionCpuTimeReport, session 4): 2-3 ns per decision less than at load factor 1/2, at
     * every size.
     */
    static int capacityFor(int frontends) {
        return Integer.highestOneBit(Math.max(16, frontends * 4 - 1)) << 1;
    }

    /** The whole table region; the buckets are its first {@code capacityBuckets() * BUCKET_BYTES} bytes. */
    MemorySegment region() {
        return buckets;
    }

    /** Claims the bucket for a new key and returns its index (the frontend id); keys must be distinct. */
    int insert(long addressHi, long addressLo, int keyTag) {
        int b = hash(addressHi, addressLo, keyTag) & mask;
        while (buckets.get(ValueLayout.JAVA_INT, (long) b * BUCKET_BYTES + KEY_TAG) != 0) {
            b = (b + 1) & mask;
        }
        long at = (long) b * BUCKET_BYTES;
        buckets.set(ValueLayout.JAVA_LONG, at + ADDRESS_HI, addressHi);
        buckets.set(ValueLayout.JAVA_LONG, at + ADDRESS_LO, addressLo);
        buckets.set(ValueLayout.JAVA_INT, at + KEY_TAG, keyTag);
        return b;
    }

    /** The frontend id (bucket index) for the key, or -1. */
    int find(long addressHi, long addressLo, int keyTag) {
        return findFrom(home(addressHi, addressLo, keyTag), addressHi, addressLo, keyTag);
    }

    /** The key's home bucket, where its probe sequence starts (no memory read). */
    int home(long addressHi, long addressLo, int keyTag) {
        return hash(addressHi, addressLo, keyTag) & mask;
    }

    /** Loads a home bucket's line (its key tag, returned to sink): a read nothing waits on, so a batch's misses overlap. */
    int touch(int home) {
        return buckets.get(ValueLayout.JAVA_INT, (long) home * BUCKET_BYTES + KEY_TAG);
    }

    /** {@link #find}, from the key's {@link #home} bucket. */
    int findFrom(int home, long addressHi, long addressLo, int keyTag) {
        final MemorySegment m = buckets;
        int i = home;
        for (int probes = 0; probes <= mask; probes++) {
            long at = (long) i * BUCKET_BYTES;
            int tag = m.get(ValueLayout.JAVA_INT, at + KEY_TAG);
            if (tag == 0) {
                return -1;
            }
            if (tag == keyTag && m.get(ValueLayout.JAVA_LONG, at + ADDRESS_LO) == addressLo
                    && m.get(ValueLayout.JAVA_LONG, at + ADDRESS_HI) == addressHi) {
                return i;
            }
            i = (i + 1) & mask;
        }
        return -1;
    }

    int capacityBuckets() {
        return mask + 1;
    }

    private static int hash(long hi, long lo, int keyTag) {
        return (int) MaglevHash.fmix64(hi * 0x9e3779b97f4a7c15L + lo * 0xc2b2ae3d27d4eb4fL + keyTag);
    }
}
