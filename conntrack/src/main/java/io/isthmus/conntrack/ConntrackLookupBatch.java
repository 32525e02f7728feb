package io.isthmus.conntrack;

/**
 * A batch of keys to look up together, in passes (hash every key, touch every home bucket,
 * touch the entry of every first tag match, then compare), so that the memory loads of different keys overlap. Struct of
 * arrays, allocated once per worker and reused for every batch.
 *
 * <p>In: the keys, set by {@link #key} (kept packed, read back by {@link #srcLo} ...). Out, per key:
 * {@code ref} (node ref, -1 on a miss: entry index {@code ref >>> 1}, direction {@code ref & 1}),
 * {@code control} (seqlock, zone and status at the time of the hit), {@code decision}, and the
 * tuple the packet must be rewritten to ({@code natSrcHi..natPorts}): the other direction's
 * tuple, mirrored. Equal to the packet's own tuple when there is no NAT.
 *
 * <p>Thread-safety: owned by one worker thread.
 */
public final class ConntrackLookupBatch {

    public final int capacity;
    /**
     * The keys, packed for the lookup's passes: 4 words a key, {@link #KEY_SRC_LO},
     * {@link #KEY_DST_LO}, {@link #KEY_META} (ports | protocol &lt;&lt; 32 | zone &lt;&lt; 40, and
     * {@link #WIDE} when a high address word is not 0), and a fourth word left unused (a key's
     * index times 4 is a shift). The high address words (IPv6) are in {@link #hi}, read only for
     * a wide key.
     */
    final long[] keys;
    /** The high address words, 2 a key: source, destination; written and read only for a {@link #WIDE} key. */
    final long[] hi;
    static final int KEY_WORDS = 4;
    static final int KEY_SRC_LO = 0;
    static final int KEY_DST_LO = 1;
    static final int KEY_META = 2;
    /** In {@link #KEY_META}: the key has a non-zero high address word (IPv6). */
    static final long WIDE = 1L << 63;
    /** In {@link #KEY_META}: ports, protocol, zone, as {@code ConntrackTable.hash} mixes them. */
    static final long META_FIELDS = 0xFFFF_FFFF_FFFFL;

    public final int[] ref;
    public final long[] control;
    public final int[] decision;
    public final long[] natSrcHi;
    public final long[] natSrcLo;
    public final long[] natDstHi;
    public final long[] natDstLo;
    public final int[] natPorts;

    /** Scratch: absolute address of each key's home bucket, and its tag. */
    final long[] bucketAddress;
    final int[] tag;
    /** Scratch: the node named by each key's first tag match, -1 if none. */
    final int[] firstRef;
    /** Scratch: the other slots of each key's home bucket whose tag matches (bit per slot). */
    final int[] tagMask;
    /**
     * Scratch, native (the emitted prefetch reads it): addresses to prefetch, 3 words per key
     * (an IPv6 hit prefetches its window and two cold words). Freed with the batch.
     */
    final long prefetchAddresses;
    /** Words of {@link #prefetchAddresses} per key of the capacity. */
    static final int PREFETCH_WORDS_PER_KEY = 3;
    private final java.lang.foreign.MemorySegment prefetchList;

    public ConntrackLookupBatch(int capacity) {
        this.capacity = capacity;
        keys = new long[KEY_WORDS * capacity];
        hi = new long[2 * capacity];
        ref = new int[capacity];
        control = new long[capacity];
        decision = new int[capacity];
        natSrcHi = new long[capacity];
        natSrcLo = new long[capacity];
        natDstHi = new long[capacity];
        natDstLo = new long[capacity];
        natPorts = new int[capacity];
        bucketAddress = new long[capacity];
        tag = new int[capacity];
        firstRef = new int[capacity];
        tagMask = new int[capacity];
        prefetchList = java.lang.foreign.Arena.ofAuto().allocate(8L * PREFETCH_WORDS_PER_KEY * Math.max(1, capacity), 64);
        prefetchAddresses = prefetchList.address();
    }

    /**
     * Sets key {@code i}. The protocol and zone are 8 bits, as the table stores them (bits above
     * are dropped, as {@code ConntrackCursor.lookup} and the compare always did).
     */
    public void key(int i, long srcHi, long srcLo, long dstHi, long dstLo, int ports, int proto, int zone) {
        final int k = KEY_WORDS * i;
        keys[k + KEY_SRC_LO] = srcLo;
        keys[k + KEY_DST_LO] = dstLo;
        keys[k + KEY_META] = (ports & 0xFFFF_FFFFL) | (long) (proto & 0xFF) << 32 | (long) (zone & 0xFF) << 40
            | ((srcHi | dstHi) != 0 ? WIDE : 0L);
        if ((srcHi | dstHi) != 0) {
            hi[2 * i] = srcHi;
            hi[2 * i + 1] = dstHi;
        }
    }

    public long srcHi(int i) {
        return wide(i) ? hi[2 * i] : 0L;
    }

    public long srcLo(int i) {
        return keys[KEY_WORDS * i + KEY_SRC_LO];
    }

    public long dstHi(int i) {
        return wide(i) ? hi[2 * i + 1] : 0L;
    }

    public long dstLo(int i) {
        return keys[KEY_WORDS * i + KEY_DST_LO];
    }

    public int ports(int i) {
        return (int) keys[KEY_WORDS * i + KEY_META];
    }

    public int proto(int i) {
        return metaProto(keys[KEY_WORDS * i + KEY_META]);
    }

    public int zone(int i) {
        return metaZone(keys[KEY_WORDS * i + KEY_META]);
    }

    /** The protocol in a {@link #KEY_META} word. */
    static int metaProto(long meta) {
        return (int) (meta >>> 32) & 0xFF;
    }

    /** The zone in a {@link #KEY_META} word. */
    static int metaZone(long meta) {
        return (int) (meta >>> 40) & 0xFF;
    }

    /** True when key {@code i} has a high address word (IPv6). */
    boolean wide(int i) {
        return keys[KEY_WORDS * i + KEY_META] < 0;
    }

    /** The seqlock half of the hit's control word: pass it to {@link ConntrackCursor#track} and {@link ConntrackCursor#remove}. */
    public int seq(int i) {
        return ConntrackDescriptor.controlSeq(control[i]);
    }

    /** Same as {@link #seq(int)} (the name of the earlier layout, where the zone shared the word). */
    public int seqZone(int i) {
        return ConntrackDescriptor.controlSeq(control[i]);
    }

    public int status(int i) {
        return ConntrackDescriptor.controlStatus(control[i]);
    }
}
