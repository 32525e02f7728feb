package io.isthmus.lb.table;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The perfect-hash index: every key of random key sets (1 to 40,000 keys, IPv4 and IPv6, several
 * ports and protocols) sits in its home bucket, in a bucket of its own, at load factor at most
 * 1/4; a lookup of any other key answers -1.
 */
class FrontendIndexTest {

    @Test
    void everyKeyIsInItsHomeBucketAndNothingElseIsFound() {
        SplittableRandom r = new SplittableRandom(6);
        for (int keys : new int[] {1, 2, 7, 8, 9, 100, 1_000, 4_097, 10_000, 40_000}) {
            long[] hi = new long[keys];
            long[] lo = new long[keys];
            int[] tags = new int[keys];
            Set<String> distinct = new HashSet<>();
            for (int i = 0; i < keys; i++) {
                do {
                    hi[i] = r.nextInt(5) == 0 ? 0xfd00_0000_0000_0000L | r.nextInt(4) : 0;
                    lo[i] = hi[i] != 0 ? r.nextLong() : 0x0000_ffff_0a60_0000L | r.nextInt(1 << 16);
                    tags[i] = ServiceTableDescriptor.keyTag(r.nextInt(3) == 0 ? r.nextInt(30_000, 32_768) : 80, r.nextBoolean() ? 6 : 17);
                } while (!distinct.add(hi[i] + "/" + lo[i] + "/" + tags[i]));
            }
            FrontendIndex.Placement p = FrontendIndex.place(hi, lo, tags, keys);
            assertTrue(p.capacityBuckets() >= 4 * keys, keys + " keys: load factor at most 1/4");
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment region = arena.allocate((long) p.capacityBuckets() * ServiceTableDescriptor.BUCKET_BYTES, 64);
                FrontendIndex index = new FrontendIndex(region, p);
                Set<Integer> buckets = new HashSet<>();
                for (int i = 0; i < keys; i++) {
                    assertTrue(buckets.add(p.bucketOf(i)), "a bucket of its own");
                    index.write(p.bucketOf(i), hi[i], lo[i], tags[i]);
                }
                for (int i = 0; i < keys; i++) {
                    assertEquals(p.bucketOf(i), index.home(hi[i], lo[i], tags[i]), "key " + i + " of " + keys + " is in its home bucket");
                    assertEquals(p.bucketOf(i), index.find(hi[i], lo[i], tags[i]));
                    assertAbsent(index, distinct, hi[i], lo[i] ^ 1L << 40, tags[i]);
                    assertAbsent(index, distinct, hi[i] ^ 1, lo[i], tags[i]);
                    assertAbsent(index, distinct, hi[i], lo[i], tags[i] ^ 1 << 8);
                    assertAbsent(index, distinct, hi[i], lo[i], ServiceTableDescriptor.keyTag((tags[i] >>> 8) & 0xffff, (tags[i] & 0xff) == 6 ? 17 : 6));
                }
            }
        }
    }

    /**
     * Two keys built to have the same hash under the default multipliers (an IPv6 address whose
     * high word cancels the port difference: hi * a = tag1 - tag2) are still placed, by an attempt
     * with random multipliers; a set of them cannot make the table fail to build.
     */
    @Test
    void keysCraftedToCollideAreStillPlaced() {
        long a = 0x9e3779b97f4a7c15L;
        long inverse = a; // Newton's iteration for a's inverse modulo 2^64
        for (int i = 0; i < 6; i++) {
            inverse *= 2 - a * inverse;
        }
        assertEquals(1L, a * inverse);
        int pairs = 50;
        long[] hi = new long[2 * pairs];
        long[] lo = new long[2 * pairs];
        int[] tags = new int[2 * pairs];
        for (int p = 0; p < pairs; p++) {
            int tag1 = ServiceTableDescriptor.keyTag(80 + p, 6);
            int tag2 = ServiceTableDescriptor.keyTag(8080 + p, 6);
            lo[2 * p] = 0x1234_5678_0000_0000L + p;
            lo[2 * p + 1] = lo[2 * p];
            hi[2 * p] = 0;
            hi[2 * p + 1] = (long) (tag1 - tag2) * inverse;
            tags[2 * p] = tag1;
            tags[2 * p + 1] = tag2;
            assertEquals(hi[2 * p] * a + tag1, hi[2 * p + 1] * a + tag2, "the pair collides under the default multipliers");
        }
        FrontendIndex.Placement p = FrontendIndex.place(hi, lo, tags, 2 * pairs);
        try (Arena arena = Arena.ofConfined()) {
            FrontendIndex index = new FrontendIndex(arena.allocate((long) p.capacityBuckets() * ServiceTableDescriptor.BUCKET_BYTES, 64), p);
            for (int i = 0; i < 2 * pairs; i++) {
                index.write(p.bucketOf(i), hi[i], lo[i], tags[i]);
            }
            for (int i = 0; i < 2 * pairs; i++) {
                assertEquals(p.bucketOf(i), index.find(hi[i], lo[i], tags[i]), "key " + i);
            }
        }
    }

    /** Another address, family, port or protocol: -1 unless the set holds that key too (then its own bucket). */
    private static void assertAbsent(FrontendIndex index, Set<String> keys, long hi, long lo, int tag) {
        int found = index.find(hi, lo, tag);
        if (keys.contains(hi + "/" + lo + "/" + tag)) {
            assertEquals(index.home(hi, lo, tag), found, "a key of the set");
        } else {
            assertEquals(-1, found, "not a key of the set");
        }
    }
}
