package io.isthmus.conntrack;

/**
 * A batch of keys to look up together, in passes (hash every key, touch every home bucket,
 * touch the entry of every first tag match, then compare), so that the memory loads of different keys overlap. Struct of
 * arrays, allocated once per worker and reused for every batch.
 *
 * <p>In: {@code srcHi..dstLo}, {@code ports}, {@code proto}, {@code zone}. Out, per key:
 * {@code ref} (node ref, -1 on a miss: entry index {@code ref >>> 1}, direction {@code ref & 1}),
 * {@code control} (seqlock, zone and status at the time of the hit), {@code decision}, and the
 * tuple the packet must be rewritten to ({@code natSrcHi..natPorts}): the other direction's
 * tuple, mirrored. Equal to the packet's own tuple when there is no NAT.
 *
 * <p>Thread-safety: owned by one worker thread.
 */
public final class ConntrackLookupBatch {

    public final int capacity;
    public final long[] srcHi;
    public final long[] srcLo;
    public final long[] dstHi;
    public final long[] dstLo;
    public final int[] ports;
    public final int[] proto;
    public final int[] zone;

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
        srcHi = new long[capacity];
        srcLo = new long[capacity];
        dstHi = new long[capacity];
        dstLo = new long[capacity];
        ports = new int[capacity];
        proto = new int[capacity];
        zone = new int[capacity];
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

    /** Sets key {@code i}. */
    public void key(int i, long srcHi, long srcLo, long dstHi, long dstLo, int ports, int proto, int zone) {
        this.srcHi[i] = srcHi;
        this.srcLo[i] = srcLo;
        this.dstHi[i] = dstHi;
        this.dstLo[i] = dstLo;
        this.ports[i] = ports;
        this.proto[i] = proto;
        this.zone[i] = zone;
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
