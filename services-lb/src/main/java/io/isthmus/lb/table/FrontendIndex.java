package io.isthmus.lb.table;

import io.isthmus.lb.maglev.MaglevHash;

/**
 * (address, port, protocol) → frontend id: open addressing with linear probing in one
 * {@code long[]}, three words per bucket, load factor at most 1/2. No boxing, no allocation per
 * lookup, at most one probe sequence bounded by the capacity.
 *
 * <pre>
 *  bucket b: buckets[3b]   address hi word
 *            buckets[3b+1] address lo word
 *            buckets[3b+2] meta: frontend id (bits 63..32) | 1 (bit 24) | port (bits 23..8) | protocol (bits 7..0)
 *                          0 = empty
 * </pre>
 *
 * <p>Thread-safety: immutable once built; read by any number of workers.
 */
final class FrontendIndex {

    private static final long OCCUPIED = 1L << 24;

    private final long[] buckets;
    private final int mask;

    private FrontendIndex(long[] buckets, int mask) {
        this.buckets = buckets;
        this.mask = mask;
    }

    /** Builds from parallel arrays of keys and values; keys must be distinct. */
    static FrontendIndex build(long[] hi, long[] lo, int[] port, int[] protocol, int[] frontend, int count) {
        int capacity = Integer.highestOneBit(Math.max(16, count * 2 - 1)) << 1;
        long[] buckets = new long[capacity * 3];
        int mask = capacity - 1;
        for (int i = 0; i < count; i++) {
            long tag = tag(port[i], protocol[i]);
            int b = hash(hi[i], lo[i], tag) & mask;
            while (buckets[b * 3 + 2] != 0) {
                b = (b + 1) & mask;
            }
            buckets[b * 3] = hi[i];
            buckets[b * 3 + 1] = lo[i];
            buckets[b * 3 + 2] = (long) frontend[i] << 32 | tag;
        }
        return new FrontendIndex(buckets, mask);
    }

    /** The frontend id for the key, or -1. */
    int find(long addressHi, long addressLo, int port, int protocol) {
        long tag = tag(port, protocol);
        long[] b = buckets;
        int m = mask;
        int i = hash(addressHi, addressLo, tag) & m;
        for (int probes = 0; probes <= m; probes++) {
            int at = i * 3;
            long meta = b[at + 2];
            if (meta == 0) {
                return -1;
            }
            if ((int) meta == (int) tag && b[at] == addressHi && b[at + 1] == addressLo) {
                return (int) (meta >>> 32);
            }
            i = (i + 1) & m;
        }
        return -1;
    }

    int capacityBuckets() {
        return mask + 1;
    }

    private static long tag(int port, int protocol) {
        return OCCUPIED | (port & 0xffffL) << 8 | (protocol & 0xffL);
    }

    private static int hash(long hi, long lo, long tag) {
        return (int) MaglevHash.fmix64(hi * 0x9e3779b97f4a7c15L + lo * 0xc2b2ae3d27d4eb4fL + tag);
    }
}
