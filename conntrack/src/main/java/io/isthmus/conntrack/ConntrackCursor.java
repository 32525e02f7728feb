package io.isthmus.conntrack;

import static io.isthmus.conntrack.ConntrackDescriptor.*;
import static io.isthmus.conntrack.ConntrackTable.INT;
import static io.isthmus.conntrack.ConntrackTable.LONG;

import io.isthmus.conntrack.memory.Prefetcher;
import io.isthmus.conntrack.proto.ConntrackTracking;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import org.agrona.UnsafeApi;

/**
 * One worker's access to a {@link ConntrackTable}: lookups (one key or a batch), inserts and
 * per-packet tracking. Nothing here allocates, throws or waits: results are codes.
 *
 * <p>Thread-safety: one cursor per thread (it owns a counter stripe and scratch space). Many
 * cursors on the same table run concurrently; see {@link ConntrackTable} for the memory orders.
 */
public final class ConntrackCursor {

    /** Insert results (negative; a non-negative result is the new connection's original node ref). */
    public static final int INSERT_EXISTS = -1;
    public static final int INSERT_CLASH = -2;
    public static final int INSERT_FULL = -3;
    public static final int INSERT_INVALID = -4;
    /** No SNAT port free (or no pool for that address and protocol). */
    public static final int INSERT_NO_PORT = -5;
    /** SNAT port attempts before {@link #insertWithSnat} gives up on reply-tuple clashes. */
    static final int SNAT_ATTEMPTS = 8;

    /** {@link #track} results. */
    public static final int TRACK_ACCEPT = 0;
    public static final int TRACK_INVALID = 1;
    public static final int TRACK_STALE = 2;

    private static final int LINKED = -1;
    private static final int LINK_FULL = -2;
    /** Buckets an early drop looks at, starting with the new connection's (nf_conntrack looks at 8 chains). */
    static final int EARLY_DROP_BUCKETS = 2;

    private static final MemorySegment MEMORY = ConntrackTable.MEMORY;
    /**
     * Plain reads on the lookup path use the unaligned layouts: the fields are aligned anyway
     * (one x86 load each), and the aligned layouts make every access test the address's low
     * bits. Atomic accesses (getAcquire, compareAndSet) keep the aligned VarHandles.
     */
    private static final ValueLayout.OfLong PLAIN_LONG = ValueLayout.JAVA_LONG_UNALIGNED;
    private static final ValueLayout.OfInt PLAIN_INT = ValueLayout.JAVA_INT_UNALIGNED;
    /*
     * The batch lookup's plain reads (and its writes to the native prefetch list) go through
     * Agrona's UnsafeApi instead (session 8): every access through MEMORY, a segment over the
     * whole address space, compares the address with Long.MAX_VALUE - size and branches (three
     * instructions an access, about ten accesses a key), a check that can never fail and so
     * guards nothing. What keeps those reads inside the table is the code itself: bucket
     * addresses come from the hash modulo the bucket count, entry addresses only from refs
     * checked against the capacity. 6-8% a batched hit at 1M (ConntrackJarAb, RESULTS.md).
     * Atomic accesses stay on the VarHandles; the fences order the Unsafe reads as any others.
     */

    private final ConntrackTable table;
    private final MemorySegment segment;
    private final int stripe;
    /** When to use the real prefetch instead of touches. */
    private final PrefetchMode prefetchMode;
    /** The choice for the next batches: re-made every {@link #PREFETCH_RECHECK_BATCHES} batches in {@link PrefetchMode#AUTO} mode. */
    private boolean prefetch;
    private int batchesUntilRecheck;
    private final ConnectionSpec spec = new ConnectionSpec();
    private final ConntrackLookupBatch single = new ConntrackLookupBatch(1);
    private int existingRef = -1;
    private int insertedSeqZone;
    private long searched;
    /** Sink for the touch passes, so the JIT keeps their loads. */
    private long touched;

    /**
     * When a cursor's batch lookups use the real prefetch ({@link Prefetcher}) rather than
     * touch loops. Only where the process has one ({@link Prefetcher#ENABLED}); else never.
     */
    public enum PrefetchMode {
        /**
         * When the table holds at least {@link #PREFETCH_MIN_CONNECTIONS} live connections
         * (checked every {@link #PREFETCH_RECHECK_BATCHES} batches): the prefetch pays where the
         * lines are far (1M connections: about a fifth less per hit) and costs 1-2 ns per key of
         * CPU where they are all in cache (1K connections). The default.
         */
        AUTO,
        /** Always (tests, benchmarks). */
        ALWAYS,
        /** Never: the touch loops (tests, benchmarks). */
        NEVER
    }

    /**
     * Live connections from which {@link PrefetchMode#AUTO} prefetches (65,536: 8 MiB of
     * entries and index; in session 7's side-by-side runs the first, costlier version of the
     * prefetching path was even with the touches at 64K and 10 ns per hit cheaper at 256K).
     * {@code -Disthmus.conntrack.prefetchMinConnections=N} for measurements.
     */
    static final long PREFETCH_MIN_CONNECTIONS = Long.getLong("isthmus.conntrack.prefetchMinConnections", 65_536L);
    /** Batches between two looks at the table's size in {@link PrefetchMode#AUTO} (a sum over the counter stripes). */
    static final int PREFETCH_RECHECK_BATCHES = 4096;

    ConntrackCursor(ConntrackTable table, int stripe, PrefetchMode prefetchMode) {
        requireUnsafeApi();
        this.table = table;
        this.segment = table.segment;
        this.stripe = stripe;
        this.prefetchMode = Prefetcher.ENABLED ? prefetchMode : PrefetchMode.NEVER;
        this.prefetch = this.prefetchMode == PrefetchMode.ALWAYS;
    }

    /**
     * Fails at once, with the fix, where Agrona's UnsafeApi (the lookups' plain reads) cannot
     * reach jdk.internal.misc.Unsafe: otherwise the first lookup would throw IllegalAccessError.
     */
    private static void requireUnsafeApi() {
        try {
            UnsafeApi.getLong(new long[1], UnsafeApi.arrayBaseOffset(long[].class));
        } catch (IllegalAccessError | NoClassDefFoundError e) {
            throw new IllegalStateException("conntrack reads its table through Agrona's UnsafeApi: start the JVM with "
                + "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED (as Agrona and Aeron need; the isthmus launcher "
                + "and the build pass it)", e);
        }
    }

    /** True when the next {@link #lookupBatch} and {@link #touchForTrack} use the real prefetch ({@link Prefetcher}). */
    public boolean prefetches() {
        return prefetch;
    }

    /** Re-makes the AUTO choice every {@link #PREFETCH_RECHECK_BATCHES} batches; a counter decrement otherwise. */
    private void choosePrefetch() {
        if (--batchesUntilRecheck < 0) {
            batchesUntilRecheck = PREFETCH_RECHECK_BATCHES;
            if (prefetchMode == PrefetchMode.AUTO) {
                prefetch = table.size() >= PREFETCH_MIN_CONNECTIONS;
            }
        }
    }

    public ConntrackTable table() {
        return table;
    }

    /** The reusable spec to fill before {@link #insert}. */
    public ConnectionSpec spec() {
        return spec;
    }

    /** After {@link #INSERT_EXISTS}: the node ref of the connection that was already there. */
    public int existingRef() {
        return existingRef;
    }

    /** After a successful insert: the new entry's seqlock (for {@link #track}, {@link #remove}). */
    public int insertedSeqZone() {
        return insertedSeqZone;
    }

    /** After a successful insert: the new entry's seqlock (same as {@link #insertedSeqZone()}). */
    public int insertedSeq() {
        return insertedSeqZone;
    }

    /** The single-key lookup's results (index 0), valid until the next lookup on this cursor. */
    public ConntrackLookupBatch lastLookup() {
        return single;
    }

    // ------------------------------------------------------------------ lookups

    /** Looks up one tuple. Returns the node ref (entry << 1 | direction) or -1; details in {@link #lastLookup()}. */
    public int lookup(long srcHi, long srcLo, long dstHi, long dstLo, int ports, int proto, int zone) {
        final long hash = table.hash(srcHi, srcLo, dstHi, dstLo, ports, proto, zone);
        final int result = probe(table.bucketOf(hash), ConntrackTable.tagOf(hash), srcHi, srcLo, dstHi, dstLo, ports,
            statusKey(proto, zone), -1, single, 0);
        single.ref[0] = result;
        maybeFlushSearched();
        return result;
    }

    /**
     * Looks up keys {@code 0..count-1} of {@code batch} in passes, so that the memory loads of
     * different keys overlap: hash every key, fetch every home bucket, find the tag matches and
     * fetch the entry of every first match, then compare. Returns the number of hits.
     *
     * <p>"Fetch" is a real prefetch ({@link Prefetcher}; see {@link PrefetchMode} for when): it
     * retires at once, so the tag scan and the compare run while the lines come in. Else
     * touches (loads), which cannot retire before their lines arrive. The two ways share passes
     * 1 and 3 ({@link #hashKeys}, {@link #findTagMatches}, once per batch) and differ in passes 2
     * and 4. (The passes called per group of 16 keys, a software pipeline, cost 2-5 ns more per
     * key where the table is in cache and gained nothing at 1M: session 7.)
     */
    public int lookupBatch(ConntrackLookupBatch batch, int count) {
        choosePrefetch();
        final int hits = prefetch ? lookupBatchPrefetching(batch, count) : lookupBatchTouching(batch, count);
        maybeFlushSearched();
        return hits;
    }

    /**
     * The passes without a prefetch, over the whole batch, as before session 7: hash; touch the
     * buckets; tag matches; touch the entries; compare. Keeping (3) and (4) apart matters: a
     * long loop body between misses fills the reorder window and leaves few misses in flight.
     */
    private int lookupBatchTouching(ConntrackLookupBatch batch, int count) {
        final ConntrackTable t = table;
        final long entries = t.entriesAddress;
        hashKeys(batch, count); // pass 1
        // Pass 2: touch every home bucket (one cache line each; independent loads, they overlap).
        long sink = 0;
        for (int i = 0; i < count; i++) {
            sink += UnsafeApi.getLong(batch.bucketAddress[i]);
        }
        VarHandle.acquireFence();
        findTagMatches(batch, count); // pass 3: no memory misses here (the buckets are in cache)
        // Pass 4: touch those entries, a short loop of independent loads that overlap. A hit
        // of an IPv4 key reads its entry's window only (one line); a key with high address
        // words (IPv6) also reads the entry's cold words: touch those too. A key without a tag
        // match whose home bucket overflowed will read the next bucket in pass 5: touch it here.
        final long lastBucket = t.bucketAddress(t.bucketCount - 1);
        for (int i = 0; i < count; i++) {
            final int ref = batch.firstRef[i];
            if (ref >= 0) {
                final int entryIndex = ref >>> 1;
                final long window = entries + windowOffset(entryIndex);
                sink += UnsafeApi.getLong(window + CONTROL);
                if (batch.wide(i)) {
                    sink += UnsafeApi.getLong(window + coldOffset(entryIndex, COLD_ORIG_SRC_HI))
                        + UnsafeApi.getLong(window + coldOffset(entryIndex, COLD_REPLY_DST_HI));
                }
            } else {
                final long bucket = batch.bucketAddress[i];
                if (overflowCount(UnsafeApi.getInt(bucket + OVERFLOW_OFFSET)) != 0) {
                    sink += UnsafeApi.getLong(bucket == lastBucket ? t.indexAddress : bucket + BUCKET_BYTES);
                }
            }
        }
        touched = sink;
        // Pass 5: compare the candidates (bucket and entry are in cache now); then the few keys
        // whose first tag match was not it look further.
        return compareKeys(batch, 0, count) + compareRest(batch, count);
    }

    /**
     * The passes with a prefetch: as {@link #lookupBatchTouching}, but passes 2 and 4 write the
     * lines' addresses to the batch's native list and prefetch them in one call each.
     */
    private int lookupBatchPrefetching(ConntrackLookupBatch batch, int count) {
        final ConntrackTable t = table;
        final long entries = t.entriesAddress;
        hashKeys(batch, count); // pass 1, which also lists the home buckets
        // Pass 2: prefetch every home bucket.
        final long list = batch.prefetchAddresses;
        Prefetcher.prefetch(list, count);
        VarHandle.acquireFence();
        findTagMatches(batch, count); // pass 3: the buckets in cache, or on their way
        // Pass 4: prefetch those entries' lines, as the touching pass 4 reads them (window; an
        // IPv6 key's cold words; the next bucket of an overflowed home without a match). The
        // list's bucket addresses are no longer needed.
        final long lastBucket = t.bucketAddress(t.bucketCount - 1);
        int n = 0;
        for (int i = 0; i < count; i++) {
            final int ref = batch.firstRef[i];
            if (ref >= 0) {
                final int entryIndex = ref >>> 1;
                final long window = entries + windowOffset(entryIndex);
                UnsafeApi.putLong(list + 8L * n++, window);
                if (batch.wide(i)) {
                    UnsafeApi.putLong(list + 8L * n++, window + coldOffset(entryIndex, COLD_ORIG_SRC_HI));
                    UnsafeApi.putLong(list + 8L * n++, window + coldOffset(entryIndex, COLD_REPLY_DST_HI));
                }
            } else {
                final long bucket = batch.bucketAddress[i];
                if (overflowCount(UnsafeApi.getInt(bucket + OVERFLOW_OFFSET)) != 0) {
                    UnsafeApi.putLong(list + 8L * n++, bucket == lastBucket ? t.indexAddress : bucket + BUCKET_BYTES);
                }
            }
        }
        Prefetcher.prefetch(list, n);
        // Pass 5: compare the candidates (their entries in cache, or on their way); then the
        // few keys whose first tag match was not it look further, their lines prefetched
        // meanwhile by compareKeys.
        return compareKeys(batch, 0, count) + compareRest(batch, count);
    }

    /** Pass 1 of both ways: every key's home bucket address and tag. */
    private void hashKeys(ConntrackLookupBatch batch, int count) {
        final ConntrackTable t = table;
        final long[] keys = batch.keys;
        final long list = batch.prefetchAddresses;
        for (int i = 0; i < count; i++) {
            final int k = ConntrackLookupBatch.KEY_WORDS * i;
            final long meta = keys[k + ConntrackLookupBatch.KEY_META];
            final long hash = meta < 0
                ? t.hash(batch.srcHi(i), keys[k + ConntrackLookupBatch.KEY_SRC_LO], batch.dstHi(i),
                    keys[k + ConntrackLookupBatch.KEY_DST_LO], (int) meta, ConntrackLookupBatch.metaProto(meta),
                    ConntrackLookupBatch.metaZone(meta))
                : t.hashNarrow(keys[k + ConntrackLookupBatch.KEY_SRC_LO], keys[k + ConntrackLookupBatch.KEY_DST_LO],
                    meta & ConntrackLookupBatch.META_FIELDS);
            final long bucket = t.bucketAddress(t.bucketOf(hash));
            batch.bucketAddress[i] = bucket;
            batch.tag[i] = ConntrackTable.tagOf(hash);
            UnsafeApi.putLong(list + 8L * i, bucket);
        }
    }

    /**
     * Pass 3 of both ways: every bucket's tag matches (two long compares each); notes the first
     * one's node and keeps the others. An empty slot (0) gives ref -1; a corrupt one a ref beyond
     * the capacity: neither is a candidate. No match reads the last slot's ref word and drops it.
     */
    private void findTagMatches(ConntrackLookupBatch batch, int count) {
        final int capacity = table.capacity;
        for (int i = 0; i < count; i++) {
            final long bucket = batch.bucketAddress[i];
            final int mask = tagMatches(bucket, batch.tag[i]);
            VarHandle.acquireFence();
            final int ref = slotRef(UnsafeApi.getInt(
                bucket + refOffset(Integer.numberOfTrailingZeros(mask | 1 << (SLOTS_PER_BUCKET - 1)))));
            batch.firstRef[i] = mask != 0 && ref >>> 1 < capacity ? ref : -1;
            batch.tagMask[i] = mask & mask - 1;
        }
    }

    /**
     * For a caller that will {@link #track} the hits of a {@link #lookupBatch} (a worker's
     * conntrack stage): touches each hit's cold word that holds its byte counters (layout 3
     * keeps them outside the window a lookup reads), all hits in one short loop so that those
     * misses overlap, instead of one non-overlapped miss per packet in {@code track}'s
     * getAndAdd. Reads only; a stale ref (entry reused since) costs a useless load, nothing else.
     */
    public void touchForTrack(ConntrackLookupBatch batch, int count) {
        final long entries = table.entriesAddress;
        final int capacity = table.capacity;
        if (prefetch) {
            // The same lines, prefetched in one call: the stage's work before each track runs
            // while they come in.
            final long list = batch.prefetchAddresses;
            int n = 0;
            for (int i = 0; i < count; i++) {
                final int ref = batch.ref[i];
                if (ref >= 0 && ref >>> 1 < capacity) {
                    final int entryIndex = ref >>> 1;
                    UnsafeApi.putLong(list + 8L * n++, entries + windowOffset(entryIndex) + coldOffset(entryIndex, COLD_ORIG_BYTES));
                }
            }
            Prefetcher.prefetch(list, n);
            return;
        }
        long sink = 0;
        for (int i = 0; i < count; i++) {
            final int ref = batch.ref[i];
            if (ref >= 0 && ref >>> 1 < capacity) {
                final int entryIndex = ref >>> 1;
                sink += UnsafeApi.getLong(entries + windowOffset(entryIndex) + coldOffset(entryIndex, COLD_ORIG_BYTES));
            }
        }
        touched += sink;
    }

    /**
     * Looks for a live node with this key in its home bucket and, if the bucket has overflowed,
     * the buckets after it, in probe order; ignores entry {@code selfIndex}. On a hit with
     * {@code out != null}, copies the snapshot into {@code out[i]}. Returns the node ref or -1.
     */
    private int probe(int home, int tag, long srcHi, long srcLo, long dstHi, long dstLo, int ports, int statusKey,
                      int selfIndex, ConntrackLookupBatch out, int i) {
        final long homeAddress = table.bucketAddress(home);
        int result = scanBucket(homeAddress, tag, srcHi, srcLo, dstHi, dstLo, ports, statusKey, selfIndex, out, i);
        if (result >= 0) {
            return result;
        }
        final int overflow = (int) INT.getAcquire(MEMORY, homeAddress + OVERFLOW_OFFSET);
        if (overflowCount(overflow) != 0) {
            final int reach = Math.min(overflowReach(overflow), table.overflowBuckets);
            for (int d = 1; d <= reach; d++) {
                result = scanBucket(table.bucketAddress(table.nextBucket(home, d)), tag, srcHi, srcLo, dstHi, dstLo, ports,
                    statusKey, selfIndex, out, i);
                if (result >= 0) {
                    return result;
                }
            }
        }
        return -1;
    }

    private int scanBucket(long bucket, int tag, long srcHi, long srcLo, long dstHi, long dstLo, int ports, int statusKey,
                           int selfIndex, ConntrackLookupBatch out, int i) {
        return scanMatches(bucket, tagMatches(bucket, tag), tag, srcHi, srcLo, dstHi, dstLo, ports, statusKey, selfIndex,
            out, i);
    }

    /**
     * The slots of {@code mask} in slot order whose tag byte is still {@code tag} (the mask's
     * bits after its lowest may be false: see {@link #tagMatches}; a slot may have changed since),
     * each compared by {@link #matches}. Returns the first matching node ref or -1.
     */
    private int scanMatches(long bucket, int mask, int tag, long srcHi, long srcLo, long dstHi, long dstLo, int ports,
                            int statusKey, int selfIndex, ConntrackLookupBatch out, int i) {
        while (mask != 0) {
            final int slot = Integer.numberOfTrailingZeros(mask);
            mask &= mask - 1;
            if ((MEMORY.get(ValueLayout.JAVA_BYTE, bucket + tagOffset(slot)) & 0xFF) == tag) {
                VarHandle.acquireFence();
                final int ref = slotRef(MEMORY.get(PLAIN_INT, bucket + refOffset(slot)));
                if (matches(ref, srcHi, srcLo, dstHi, dstLo, ports, statusKey, selfIndex, out, i)) {
                    return ref;
                }
            }
        }
        return -1;
    }

    /**
     * Pass 5 of {@link #lookupBatch}: for every key, its first tag match compared under the
     * entry's seqlock as {@link #matches} does, the answer copied to the batch. A key whose first
     * match was not it and that has more to look at (other tag matches, or a home bucket that
     * has overflowed) is marked {@link #LOOK_FURTHER} for {@link #compareRest}, and with the
     * prefetch its further lines are prefetched at once ({@link #prefetchFurther}), so that they
     * come in while the other keys are compared. Written out in one loop with no call per key
     * on the common path: {@code matches} is over the JIT's inlining limit, and a call per key
     * cost about 10 ns per lookup here. Returns the number of hits.
     */
    private int compareKeys(ConntrackLookupBatch batch, int from, int to) {
        final ConntrackTable t = table;
        final int capacity = t.capacity;
        final long entries = t.entriesAddress;
        // The arrays in locals: the fences below would otherwise make the JIT reload each field.
        final long[] keys = batch.keys;
        final int[] refA = batch.ref;
        final long[] controlA = batch.control;
        final int[] decisionA = batch.decision;
        final long[] natSrcHiA = batch.natSrcHi;
        final long[] natSrcLoA = batch.natSrcLo;
        final long[] natDstHiA = batch.natDstHi;
        final long[] natDstLoA = batch.natDstLo;
        final int[] natPortsA = batch.natPorts;
        final long[] bucketAddressA = batch.bucketAddress;
        final int[] tagA = batch.tag;
        final int[] firstRefA = batch.firstRef;
        final int[] tagMaskA = batch.tagMask;
        int hits = 0;
        int compared = 0;
        for (int i = from; i < to; i++) {
            final int k = ConntrackLookupBatch.KEY_WORDS * i;
            final long meta = keys[k + ConntrackLookupBatch.KEY_META];
            final int statusKey = statusKey(ConntrackLookupBatch.metaProto(meta), ConntrackLookupBatch.metaZone(meta));
            final int candidate = firstRefA[i];
            int result = -1;
            if (candidate >= 0) {
                compared++;
                final int dir = candidate & 1;
                final int entryIndex = candidate >>> 1;
                final long base = entries + windowOffset(entryIndex);
                // Acquire by a fence: the aligned VarHandle's getAcquire tests the alignment
                // of every address; a plain load of the aligned word and the fence order the
                // same loads (on x86 the fence is free).
                final long control = UnsafeApi.getLong(base + CONTROL);
                VarHandle.acquireFence();
                final long tuple = base + dir * (long) REPLY_ADDRESS_DELTA;
                // One test for the whole key in the window: odd seqlock, protocol and zone, the
                // low address words, ports.
                long differ = (control & 1)
                    | ((controlStatus(control) & STATUS_KEY_MASK) ^ statusKey)
                    | (UnsafeApi.getLong(tuple + ORIG_SRC_LO) ^ keys[k + ConntrackLookupBatch.KEY_SRC_LO])
                    | (UnsafeApi.getLong(tuple + ORIG_DST_LO) ^ keys[k + ConntrackLookupBatch.KEY_DST_LO])
                    | (UnsafeApi.getInt(base + ORIG_PORTS + dir * (long) REPLY_PORTS_DELTA) ^ (int) meta);
                // The high words only when the key or the entry has any (IPv6): an entry
                // without the IPV6 flag has all four at 0.
                final boolean wideEntry = (controlStatus(control) & STATUS_IPV6) != 0;
                if (wideEntry || meta < 0) {
                    final int c = dir * REPLY_COLD_DELTA;
                    differ |= (UnsafeApi.getLong(base + coldOffset(entryIndex, COLD_ORIG_SRC_HI + c)) ^ batch.srcHi(i))
                        | (UnsafeApi.getLong(base + coldOffset(entryIndex, COLD_ORIG_DST_HI + c)) ^ batch.dstHi(i));
                }
                if (differ == 0) {
                    final long other = base + (1 - dir) * (long) REPLY_ADDRESS_DELTA;
                    if (wideEntry) {
                        final int c = (1 - dir) * REPLY_COLD_DELTA;
                        natSrcHiA[i] = UnsafeApi.getLong(base + coldOffset(entryIndex, COLD_ORIG_DST_HI + c));
                        natDstHiA[i] = UnsafeApi.getLong(base + coldOffset(entryIndex, COLD_ORIG_SRC_HI + c));
                    } else {
                        natSrcHiA[i] = 0L;
                        natDstHiA[i] = 0L;
                    }
                    natSrcLoA[i] = UnsafeApi.getLong(other + ORIG_DST_LO);
                    natDstLoA[i] = UnsafeApi.getLong(other + ORIG_SRC_LO);
                    final int otherPorts = UnsafeApi.getInt(base + ORIG_PORTS + (1 - dir) * (long) REPLY_PORTS_DELTA);
                    natPortsA[i] = otherPorts << 16 | otherPorts >>> 16;
                    decisionA[i] = UnsafeApi.getInt(base + DECISION);
                    VarHandle.loadLoadFence();
                    final long recheck = UnsafeApi.getLong(base + CONTROL);
                    if ((int) recheck == (int) control && (statusFlags(controlStatus(recheck)) & ConntrackFlags.DYING) == 0) {
                        controlA[i] = recheck;
                        result = candidate;
                    }
                }
            }
            if (result < 0 && (tagMaskA[i] != 0
                || overflowCount((int) INT.getAcquire(MEMORY, bucketAddressA[i] + OVERFLOW_OFFSET)) != 0)) {
                result = LOOK_FURTHER;
                if (prefetch) {
                    prefetchFurther(batch, i);
                }
            }
            refA[i] = result;
            hits += result >= 0 ? 1 : 0;
        }
        searched += compared;
        return hits;
    }

    /** A key {@link #compareKeys} leaves to {@link #compareRest}: its first tag match was not it, and there is more to look at. */
    private static final int LOOK_FURTHER = -2;

    /**
     * The rest of pass 5: the keys {@link #compareKeys} marked {@link #LOOK_FURTHER} look at the
     * other tag matches of their home bucket, then the buckets it overflowed into
     * ({@link #compareOthers}). Returns the number of hits among them.
     */
    private int compareRest(ConntrackLookupBatch batch, int count) {
        final int[] refA = batch.ref;
        int hits = 0;
        for (int i = 0; i < count; i++) {
            if (refA[i] == LOOK_FURTHER) {
                final int result = compareOthers(batch, i, statusKey(batch.proto(i), batch.zone(i)));
                refA[i] = result;
                hits += result >= 0 ? 1 : 0;
            }
        }
        return hits;
    }

    /**
     * For key {@code i}, marked {@link #LOOK_FURTHER}: prefetches the lines {@link #compareRest}
     * will read, in one call, while the keys after it are compared: the entries of its home
     * bucket's other tag matches and, if the home has overflowed, the next bucket (when the key
     * had no match at home, pass 4 prefetched that bucket already: then the entries of its tag
     * matches there instead). At a million connections about 2.6% of keys come here (1.5% a
     * false first tag match, 1.1% a node past its full home bucket); each used to read those
     * lines as demand misses, one after the other, at the end of the batch (session 8,
     * RESULTS.md). Reads only lines in cache, or on their way; never writes the table.
     */
    private void prefetchFurther(ConntrackLookupBatch batch, int i) {
        final long list = batch.prefetchAddresses;
        final int listWords = ConntrackLookupBatch.PREFETCH_WORDS_PER_KEY * batch.capacity;
        final long home = batch.bucketAddress[i];
        int n = 0;
        final int others = batch.tagMask[i];
        if (others != 0) {
            n = listMatchedEntries(home, others, list, n, listWords);
        }
        if (overflowCount(UnsafeApi.getInt(home + OVERFLOW_OFFSET)) != 0) {
            final long next = home == table.bucketAddress(table.bucketCount - 1) ? table.indexAddress : home + BUCKET_BYTES;
            if (batch.firstRef[i] < 0) {
                final int mask = tagMatches(next, batch.tag[i]);
                if (mask != 0) {
                    n = listMatchedEntries(next, mask, list, n, listWords);
                }
            } else if (n < listWords) {
                UnsafeApi.putLong(list + 8L * n++, next);
            }
        }
        if (n != 0) {
            Prefetcher.prefetch(list, n);
        }
    }

    /**
     * Adds the entry windows of the slots in {@code mask} of {@code bucket} to the prefetch list
     * at word {@code n} (sending the list first when it is full) and returns the new length. An
     * empty or corrupt slot (a stale mask bit, a ref beyond the capacity) adds nothing.
     */
    private int listMatchedEntries(long bucket, int mask, long list, int n, int listWords) {
        final long entries = table.entriesAddress;
        final int capacity = table.capacity;
        VarHandle.acquireFence();
        while (mask != 0) {
            final int slot = Integer.numberOfTrailingZeros(mask);
            mask &= mask - 1;
            final int ref = slotRef(UnsafeApi.getInt(bucket + refOffset(slot)));
            if (ref >= 0 && ref >>> 1 < capacity) {
                if (n == listWords) {
                    Prefetcher.prefetch(list, n);
                    n = 0;
                }
                UnsafeApi.putLong(list + 8L * n++, entries + windowOffset(ref >>> 1));
            }
        }
        return n;
    }

    /**
     * The rare rest of pass 5 for key {@code i} (its first tag match was not it): the other tag
     * matches of its home bucket in slot order (the slot may have changed since the mask was
     * taken, so its tag is checked again), then, if the bucket has overflowed, the buckets after
     * it. Called by {@link #compareRest}, after the hot loop. Returns the node ref or -1.
     */
    private int compareOthers(ConntrackLookupBatch batch, int i, int statusKey) {
        final long bucket = batch.bucketAddress[i];
        final int tag = batch.tag[i];
        final int found = scanMatches(bucket, batch.tagMask[i], tag, batch.srcHi(i), batch.srcLo(i), batch.dstHi(i),
            batch.dstLo(i), batch.ports(i), statusKey, -1, batch, i);
        if (found >= 0) {
            return found;
        }
        if (overflowCount((int) INT.getAcquire(MEMORY, bucket + OVERFLOW_OFFSET)) != 0) {
            return probe(table.bucketIndex(bucket), tag, batch.srcHi(i), batch.srcLo(i), batch.dstHi(i), batch.dstLo(i),
                batch.ports(i), statusKey, -1, batch, i);
        }
        return -1;
    }

    /**
     * The rewrite target of a hit in direction {@code dir} of entry {@code entryIndex} (window at
     * {@code base}, status {@code status}): the other direction's tuple, mirrored; and the decisions.
     */
    private static void copyAnswer(long base, int entryIndex, int status, int dir, ConntrackLookupBatch out, int i) {
        final long other = base + (1 - dir) * (long) REPLY_ADDRESS_DELTA;
        if ((status & STATUS_IPV6) != 0) {
            final int c = (1 - dir) * REPLY_COLD_DELTA;
            out.natSrcHi[i] = MEMORY.get(PLAIN_LONG, base + coldOffset(entryIndex, COLD_ORIG_DST_HI + c));
            out.natDstHi[i] = MEMORY.get(PLAIN_LONG, base + coldOffset(entryIndex, COLD_ORIG_SRC_HI + c));
        } else {
            out.natSrcHi[i] = 0L;
            out.natDstHi[i] = 0L;
        }
        out.natSrcLo[i] = MEMORY.get(PLAIN_LONG, other + ORIG_DST_LO);
        out.natDstLo[i] = MEMORY.get(PLAIN_LONG, other + ORIG_SRC_LO);
        final int otherPorts = MEMORY.get(PLAIN_INT, base + ORIG_PORTS + (1 - dir) * (long) REPLY_PORTS_DELTA);
        out.natPorts[i] = otherPorts << 16 | otherPorts >>> 16;
        out.decision[i] = MEMORY.get(PLAIN_INT, base + DECISION);
    }

    private static final long BYTE_ONES = 0x0101_0101_0101_0101L;
    private static final long BYTE_HIGHS = 0x8080_8080_8080_8080L;
    /** The overflow count's four bytes in the bucket's second long, made never to look like a tag. */
    private static final long NOT_TAGS_OF_SECOND_LONG = 0xFFFF_FFFF_0000_0000L;

    /**
     * Bit {@code k} set for slot {@code k} (0..11) of the bucket whose tag byte may equal
     * {@code tag}: the bucket's first 16 bytes (12 tags, then the overflow count, forced to
     * non-matching bytes) read as two longs, XORed with the tag in every byte, and each zero
     * byte found with the borrow test {@code (x - 0x01..) & ~x & 0x80..}, gathered into slot
     * order by {@code Long.compress} (one {@code pext} on x86 with BMI2). No branch per slot.
     * The lowest set bit is exact; a higher one may be false (a borrow out of a zero byte turns
     * a 0x01 byte above it into a match), so every bit after the first is checked again
     * against the tag byte before use ({@link #scanMatches}). An empty slot never matches: tags
     * are never 0 ({@link ConntrackTable#tagOf}).
     */
    static int tagMatches(long bucket, int tag) {
        final long pattern = BYTE_ONES * tag;
        final long first = UnsafeApi.getLong(bucket + TAGS_OFFSET) ^ pattern;
        final long second = (UnsafeApi.getLong(bucket + TAGS_OFFSET + 8) ^ pattern) | NOT_TAGS_OF_SECOND_LONG;
        return (int) Long.compress((first - BYTE_ONES) & ~first, BYTE_HIGHS)
            | (int) Long.compress((second - BYTE_ONES) & ~second, BYTE_HIGHS) << 8;
    }

    /**
     * Compares node {@code ref}'s tuple with the key under the entry's seqlock: true if the
     * entry is live (even, not DYING) and holds the key. Copies the snapshot to {@code out[i]}.
     */
    private boolean matches(int ref, long srcHi, long srcLo, long dstHi, long dstLo, int ports, int statusKey,
                            int selfIndex, ConntrackLookupBatch out, int i) {
        final int entryIndex = ref >>> 1;
        searched++;
        if (entryIndex >= table.capacity || entryIndex == selfIndex) {
            return false; // a corrupt slot never leads outside the mapping
        }
        final int dir = ref & 1;
        final long base = table.entryAddress(entryIndex);
        final long control = (long) LONG.getAcquire(MEMORY, base + CONTROL);
        if (seqOdd(control) || (controlStatus(control) & STATUS_KEY_MASK) != statusKey) {
            return false;
        }
        final long tuple = base + dir * (long) REPLY_ADDRESS_DELTA;
        if (MEMORY.get(PLAIN_LONG, tuple + ORIG_SRC_LO) != srcLo
            || MEMORY.get(PLAIN_LONG, tuple + ORIG_DST_LO) != dstLo
            || MEMORY.get(PLAIN_INT, base + ORIG_PORTS + dir * (long) REPLY_PORTS_DELTA) != ports) {
            return false;
        }
        // High words: 0 in an entry without the IPV6 flag; read from the cold words otherwise.
        final boolean wideEntry = (controlStatus(control) & STATUS_IPV6) != 0;
        if (wideEntry || (srcHi | dstHi) != 0) {
            final int c = dir * REPLY_COLD_DELTA;
            if (MEMORY.get(PLAIN_LONG, base + coldOffset(entryIndex, COLD_ORIG_SRC_HI + c)) != srcHi
                || MEMORY.get(PLAIN_LONG, base + coldOffset(entryIndex, COLD_ORIG_DST_HI + c)) != dstHi) {
                return false;
            }
        }
        if (out != null) {
            copyAnswer(base, entryIndex, controlStatus(control), dir, out, i);
        }
        VarHandle.loadLoadFence();
        final long recheck = MEMORY.get(PLAIN_LONG, base + CONTROL);
        if ((int) recheck != (int) control || (statusFlags(controlStatus(recheck)) & ConntrackFlags.DYING) != 0) {
            return false;
        }
        if (out != null) {
            out.control[i] = recheck;
        }
        return true;
    }

    /** The searched counter is published every few thousand entries, not on every lookup. */
    private void maybeFlushSearched() {
        if (searched >= 4096) {
            flushSearched();
        }
    }

    private void flushSearched() {
        if (searched != 0) {
            table.addCounter(stripe, ConntrackCounter.SEARCHED, searched);
            searched = 0;
        }
    }

    /**
     * Finds the connection an ICMP error is about, given the tuple of the packet embedded in it
     * (as it was on the wire). Returns the node ref whose direction is the error's own direction,
     * or -1. Linux does the same: it inverts the embedded tuple and looks that up.
     */
    public int lookupRelated(long embeddedSrcHi, long embeddedSrcLo, long embeddedDstHi, long embeddedDstLo,
                             int embeddedPorts, int proto, int zone) {
        final int inverted = embeddedPorts << 16 | embeddedPorts >>> 16;
        return lookup(embeddedDstHi, embeddedDstLo, embeddedSrcHi, embeddedSrcLo, inverted, proto, zone);
    }

    // ------------------------------------------------------------------ insert

    /**
     * Inserts the connection described by {@code c} (normally {@link #spec()}), seen at
     * {@code nowS}. Returns the new original node ref, or {@link #INSERT_EXISTS} (another
     * worker inserted the same original tuple first: {@link #existingRef()}),
     * {@link #INSERT_CLASH} (the reply tuple is taken), {@link #INSERT_FULL} (no room, nothing
     * unassured to drop) or {@link #INSERT_INVALID} (state NONE, or a zone, state or verdict
     * out of range).
     */
    public int insert(ConnectionSpec c, int nowS) {
        if (c.stateId == ConntrackState.NONE.id() || c.proto == 0 || c.stateId > MAX_STATE
            || c.zone < 0 || c.zone > MAX_ZONE || c.verdict < 0 || c.verdict > MAX_VERDICT) {
            return INSERT_INVALID;
        }
        final ConntrackTable t = table;
        final long hashOrig = t.hash(c.origSrcHi, c.origSrcLo, c.origDstHi, c.origDstLo, c.origPorts, c.proto, c.zone);
        final long hashReply = t.hash(c.replySrcHi, c.replySrcLo, c.replyDstHi, c.replyDstLo, c.replyPorts, c.proto, c.zone);
        final int key = statusKey(c.proto, c.zone);
        // Cheap early answer for the common race (the same first packet on two workers).
        final int already = probe(t.bucketOf(hashOrig), ConntrackTable.tagOf(hashOrig), c.origSrcHi, c.origSrcLo,
            c.origDstHi, c.origDstLo, c.origPorts, key, -1, null, 0);
        if (already >= 0) {
            return failInsert(INSERT_EXISTS, already);
        }
        int entryIndex = t.popFree();
        if (entryIndex < 0) {
            entryIndex = earlyDrop(t.bucketOf(hashOrig));
            if (entryIndex < 0) {
                t.addCounter(stripe, ConntrackCounter.REFUSED, 1);
                flushSearched();
                return INSERT_FULL;
            }
        }
        final long base = t.entryBase(entryIndex);
        final long freeControl = (long) LONG.getAcquire(segment, base + CONTROL);
        segment.set(ValueLayout.JAVA_INT, base + DECISION, decision(c.serviceId, c.outPort));
        segment.set(ValueLayout.JAVA_INT, base + LAST_SEEN_S, nowS);
        segment.set(ValueLayout.JAVA_LONG, base + coldOffset(entryIndex, COLD_ORIG_SRC_HI), c.origSrcHi);
        segment.set(ValueLayout.JAVA_LONG, base + ORIG_SRC_LO, c.origSrcLo);
        segment.set(ValueLayout.JAVA_LONG, base + coldOffset(entryIndex, COLD_ORIG_DST_HI), c.origDstHi);
        segment.set(ValueLayout.JAVA_LONG, base + ORIG_DST_LO, c.origDstLo);
        segment.set(ValueLayout.JAVA_LONG, base + coldOffset(entryIndex, COLD_REPLY_SRC_HI), c.replySrcHi);
        segment.set(ValueLayout.JAVA_LONG, base + REPLY_SRC_LO, c.replySrcLo);
        segment.set(ValueLayout.JAVA_LONG, base + coldOffset(entryIndex, COLD_REPLY_DST_HI), c.replyDstHi);
        segment.set(ValueLayout.JAVA_LONG, base + REPLY_DST_LO, c.replyDstLo);
        segment.set(ValueLayout.JAVA_INT, base + ORIG_PORTS, c.origPorts);
        segment.set(ValueLayout.JAVA_INT, base + REPLY_PORTS, c.replyPorts);
        segment.set(ValueLayout.JAVA_LONG, base + ORIG_PACKETS, 0L);
        segment.set(ValueLayout.JAVA_LONG, base + coldOffset(entryIndex, COLD_ORIG_BYTES), 0L);
        segment.set(ValueLayout.JAVA_LONG, base + coldOffset(entryIndex, COLD_REPLY_BYTES), 0L);
        final int seq = (int) freeControl + 1;
        // IPV6 whenever any high address word is not 0: a lookup skips the high words (cold)
        // of an entry without it (ConntrackDescriptor, "Entry").
        final boolean wide = (c.origSrcHi | c.origDstHi | c.replySrcHi | c.replyDstHi) != 0;
        final int flags = (c.flags & ~(ConntrackFlags.DYING | ConntrackFlags.TICK | ConntrackFlags.CONFIRMED))
            | (wide ? ConntrackFlags.IPV6 : 0);
        final int status = status(c.proto, c.stateId, flags, c.verdict, c.zone);
        // Publish: even seqlock, release, after every field above and before any slot names it.
        LONG.setRelease(segment, base + CONTROL, control(seq, status));

        final int linkOrig = link(hashOrig, entryIndex << 1 | DIR_ORIGINAL, c.origSrcHi, c.origSrcLo, c.origDstHi,
            c.origDstLo, c.origPorts, key, entryIndex);
        if (linkOrig >= 0 || linkOrig == LINK_FULL) {
            // No slot names it: straight back to the free list.
            LONG.setRelease(segment, base + CONTROL, advanceSeq(control(seq, status), 0));
            t.pushFree(entryIndex);
            if (linkOrig == LINK_FULL) {
                t.addCounter(stripe, ConntrackCounter.REFUSED, 1);
                flushSearched();
                return INSERT_FULL;
            }
            return failInsert(INSERT_EXISTS, linkOrig);
        }
        if (linkOrig != LINKED) {
            return removeHalfInserted(entryIndex, seq, c, INSERT_EXISTS, linkOrig & Integer.MAX_VALUE);
        }
        final int linkReply = link(hashReply, entryIndex << 1 | DIR_REPLY, c.replySrcHi, c.replySrcLo, c.replyDstHi,
            c.replyDstLo, c.replyPorts, key, entryIndex);
        if (linkReply == LINK_FULL) {
            removeHalfInserted(entryIndex, seq, c, INSERT_FULL, -1);
            t.addCounter(stripe, ConntrackCounter.REFUSED, 1);
            return INSERT_FULL;
        }
        if (linkReply != LINKED) {
            return removeHalfInserted(entryIndex, seq, c, INSERT_CLASH, linkReply & Integer.MAX_VALUE);
        }
        // Confirm: from now on others may claim it. The seqlock cannot move meanwhile (nobody
        // claims an unconfirmed entry); the state may (a packet tracked already), hence a loop.
        while (true) {
            final long control = (long) LONG.getAcquire(segment, base + CONTROL);
            if (LONG.compareAndSet(segment, base + CONTROL, control,
                control(seq, withFlags(controlStatus(control), ConntrackFlags.CONFIRMED)))) {
                break;
            }
        }
        t.addCounter(stripe, ConntrackCounter.INSERTS, 1);
        flushSearched();
        insertedSeqZone = seq;
        return entryIndex << 1 | DIR_ORIGINAL;
    }

    /**
     * A slot names the entry: remove it like any other. Its SNAT flag is dropped first: on
     * failure the caller still owns its SNAT port and releases it itself.
     */
    private int removeHalfInserted(int entryIndex, int seq, ConnectionSpec c, int code, int existing) {
        final long base = table.entryBase(entryIndex);
        while (true) {
            final long control = (long) LONG.getAcquire(segment, base + CONTROL);
            final int status = controlStatus(control);
            final int flags = (statusFlags(status) & ~(ConntrackFlags.SNAT | ConntrackFlags.CONFIRMED)) | ConntrackFlags.DYING;
            if (LONG.compareAndSet(segment, base + CONTROL, control, control(seq, withFlagsReplaced(status, flags)))) {
                break;
            }
        }
        table.removeClaimed(entryIndex, stripe);
        table.addCounter(stripe, ConntrackCounter.INSERTS, 1);
        if (code == INSERT_FULL) {
            flushSearched();
            return code;
        }
        return failInsert(code, existing);
    }

    /**
     * Inserts {@code c} with source NAT to {@code nodeHi/nodeLo}: takes a port from the table's
     * SNAT pool, and on a reply-tuple clash gives it back and tries another (bounded). The port
     * comes back to the pool when the connection is removed.
     */
    public int insertWithSnat(ConnectionSpec c, long nodeHi, long nodeLo, int nowS) {
        final var pool = table.snatPool;
        if (pool == null) {
            return INSERT_NO_PORT;
        }
        int hint = c.origPorts ^ (int) c.origSrcLo ^ (int) (c.origSrcLo >>> 32);
        for (int attempt = 0; attempt < SNAT_ATTEMPTS; attempt++) {
            final int port = pool.allocate(nodeHi, nodeLo, c.proto, hint);
            if (port < 0) {
                return INSERT_NO_PORT;
            }
            c.snat(nodeHi, nodeLo, port);
            final int result = insert(c, nowS);
            if (result >= 0) {
                return result;
            }
            pool.release(nodeHi, nodeLo, c.proto, port);
            if (result != INSERT_CLASH) {
                return result;
            }
            hint = hint * 0x9E3779B1 + 1;
        }
        return INSERT_CLASH;
    }

    private int failInsert(int code, int existing) {
        existingRef = existing;
        table.addCounter(stripe, ConntrackCounter.INSERT_FAILED, 1);
        flushSearched();
        return code;
    }

    /**
     * Puts node {@code ref} in the index unless a live node with the same key is there. Returns
     * {@link #LINKED}; {@link #LINK_FULL} (no empty slot within reach; ours not placed); the
     * existing node's ref (ours not placed); or {@code Integer.MIN_VALUE | existingRef} when a
     * duplicate placed at the same time comes first in probe order (ours is placed and the
     * caller must remove it).
     */
    private int link(long hash, int ref, long srcHi, long srcLo, long dstHi, long dstLo, int ports, int key, int selfIndex) {
        final ConntrackTable t = table;
        final int home = t.bucketOf(hash);
        final int tag = ConntrackTable.tagOf(hash);
        final long homeAddress = t.bucketAddress(home);
        for (int attempt = 0; attempt < ConntrackTable.LINK_ATTEMPTS; attempt++) {
            final int found = probe(home, tag, srcHi, srcLo, dstHi, dstLo, ports, key, selfIndex, null, 0);
            if (found >= 0) {
                return found;
            }
            final long placed;
            final int free = ConntrackTable.emptySlot(homeAddress);
            if (free >= 0) {
                if (!ConntrackTable.fillSlot(homeAddress, free, tag, ref)) {
                    continue; // another inserter took it: look again
                }
                placed = free;
            } else {
                placed = placeOverflow(home, tag, ref);
                if (placed < 0) {
                    return LINK_FULL;
                }
            }
            // Another inserter of the same key may have placed its node at the same time. Both
            // look again after a full fence; the node later in probe order gives way.
            VarHandle.fullFence();
            final int first = firstDuplicate(home, tag, srcHi, srcLo, dstHi, dstLo, ports, key, selfIndex, placed);
            return first < 0 ? LINKED : Integer.MIN_VALUE | first;
        }
        return LINK_FULL;
    }

    /** Places node {@code ref} in a bucket after {@code home}; returns its probe position or -1. */
    private long placeOverflow(int home, int tag, int ref) {
        final ConntrackTable t = table;
        final long homeAddress = t.bucketAddress(home);
        INT.getAndAdd(MEMORY, homeAddress + OVERFLOW_OFFSET, 1);
        for (int attempt = 0; attempt < ConntrackTable.LINK_ATTEMPTS; attempt++) {
            boolean sawEmpty = false;
            for (int d = 1; d <= t.overflowBuckets; d++) {
                final long bucket = t.bucketAddress(t.nextBucket(home, d));
                final int slot = ConntrackTable.emptySlot(bucket);
                if (slot >= 0) {
                    sawEmpty = true;
                    ConntrackTable.raiseReach(homeAddress, d);
                    if (ConntrackTable.fillSlot(bucket, slot, tag, ref)) {
                        return (long) d * SLOTS_PER_BUCKET + slot;
                    }
                }
            }
            if (!sawEmpty) {
                break;
            }
        }
        INT.getAndAdd(MEMORY, homeAddress + OVERFLOW_OFFSET, -1);
        return -1;
    }

    /**
     * A live node with this key (not entry {@code selfIndex}) placed before probe position
     * {@code ourPosition}, or -1. Goes by the ref words, which inserters take first: a node
     * whose tag byte is still 0 (its inserter between its compareAndSet and its tag write) is
     * compared too; a slot whose tag byte is another tag is skipped.
     */
    private int firstDuplicate(int home, int tag, long srcHi, long srcLo, long dstHi, long dstLo, int ports, int key,
                               int selfIndex, long ourPosition) {
        final ConntrackTable t = table;
        final int buckets = overflowCount((int) INT.getVolatile(MEMORY, t.bucketAddress(home) + OVERFLOW_OFFSET)) != 0
            ? t.overflowBuckets : 0;
        for (int d = 0; d <= buckets; d++) {
            final long bucket = t.bucketAddress(t.nextBucket(home, d));
            for (int slot = 0; slot < SLOTS_PER_BUCKET; slot++) {
                final long position = (long) d * SLOTS_PER_BUCKET + slot;
                if (position >= ourPosition) {
                    return -1;
                }
                final int value = (int) INT.getVolatile(MEMORY, bucket + refOffset(slot));
                if (value == 0) {
                    continue;
                }
                final int slotTag = (byte) ConntrackTable.BYTE.getVolatile(MEMORY, bucket + tagOffset(slot)) & 0xFF;
                if ((slotTag == 0 || slotTag == tag)
                    && matches(slotRef(value), srcHi, srcLo, dstHi, dstLo, ports, key, selfIndex, null, 0)) {
                    return slotRef(value);
                }
            }
        }
        return -1;
    }

    /**
     * No free entry: drop the least recently seen unassured connection named by the first
     * {@link #EARLY_DROP_BUCKETS} buckets from the new one's home, as nf_conntrack does with its
     * chains, and take its entry. Returns the entry index or -1.
     */
    private int earlyDrop(int firstBucket) {
        final ConntrackTable t = table;
        int victim = -1;
        int victimSeq = 0;
        int victimLastSeen = Integer.MAX_VALUE;
        for (int b = 0; b < EARLY_DROP_BUCKETS && b < t.bucketCount; b++) {
            final long bucket = t.bucketAddress(t.nextBucket(firstBucket, b));
            for (int slot = 0; slot < SLOTS_PER_BUCKET; slot++) {
                final int value = (int) INT.getAcquire(MEMORY, bucket + refOffset(slot));
                if (value == 0 || slotRef(value) >>> 1 >= t.capacity) {
                    continue;
                }
                final int entryIndex = slotRef(value) >>> 1;
                final long base = t.entryBase(entryIndex);
                final long control = (long) LONG.getAcquire(segment, base + CONTROL);
                final int flags = statusFlags(controlStatus(control));
                final int lastSeen = (int) INT.getOpaque(segment, base + LAST_SEEN_S);
                searched++;
                if (!seqOdd(control)
                    && (flags & (ConntrackFlags.ASSURED | ConntrackFlags.DYING | ConntrackFlags.CONFIRMED)) == ConntrackFlags.CONFIRMED
                    && lastSeen < victimLastSeen) {
                    victim = entryIndex;
                    victimSeq = controlSeq(control);
                    victimLastSeen = lastSeen;
                }
            }
        }
        if (victim < 0 || !t.claimForRemoval(victim, victimSeq)) {
            return -1;
        }
        t.removeClaimed(victim, stripe);
        t.addCounter(stripe, ConntrackCounter.EARLY_DROPS, 1);
        return t.popFree();
    }

    // ------------------------------------------------------------------ per-packet tracking

    /**
     * Accounts one packet of {@code lengthBytes} travelling in {@code direction} on the entry of
     * node {@code ref} (from a lookup whose seqlock was {@code seq}) and advances its protocol
     * state. Returns {@link #TRACK_ACCEPT}, {@link #TRACK_INVALID} (state unchanged, not counted)
     * or {@link #TRACK_STALE} (the entry was removed, reused or claimed for removal since the
     * lookup: treat the packet as a miss).
     *
     * <p>Last seen is written before the control word is read again and its compare-and-set
     * (which sets {@link ConntrackFlags#TICK} whenever last seen moved; only the sweeper clears
     * it), so a sweeper that decided from an older last seen fails its claim, or sees the new
     * last seen, and the connection stays (see {@link ConntrackSweeper}). (The counters are added after
     * the check: a packet counted in the very instant its connection is removed can be
     * credited to the next connection using that entry.)
     */
    public int track(int ref, int seq, int tcpFlags, int lengthBytes, int nowS) {
        final int direction = ref & 1;
        final int entryIndex = ref >>> 1;
        if (entryIndex >= table.capacity) {
            return TRACK_STALE;
        }
        final long base = table.entryAddress(entryIndex);
        final boolean tick = MEMORY.get(ValueLayout.JAVA_INT, base + LAST_SEEN_S) != nowS;
        while (true) {
            final long control = (long) LONG.getAcquire(MEMORY, base + CONTROL);
            final int status = controlStatus(control);
            if (controlSeq(control) != seq || (statusFlags(status) & ConntrackFlags.DYING) != 0) {
                return TRACK_STALE;
            }
            final long advanced = ConntrackTracking.advance(status, direction, tcpFlags);
            if ((advanced & ConntrackTracking.INVALID) != 0) {
                return TRACK_INVALID;
            }
            int newStatus = (int) advanced;
            if (tick) {
                // Once per connection and second: last seen, a full fence, then the control
                // word again; TICK stays set until the sweeper clears it (ConntrackSweeper).
                INT.setVolatile(MEMORY, base + LAST_SEEN_S, nowS);
                if ((long) LONG.getVolatile(MEMORY, base + CONTROL) != control) {
                    continue;
                }
                newStatus |= ConntrackFlags.TICK << 16;
            }
            if (newStatus == status || LONG.compareAndSet(MEMORY, base + CONTROL, control, control(seq, newStatus))) {
                break;
            }
        }
        INT.getAndAdd(MEMORY, base + (direction == 0 ? ORIG_PACKETS : REPLY_PACKETS), 1);
        LONG.getAndAdd(MEMORY, base + coldOffset(entryIndex, COLD_ORIG_BYTES + direction), (long) lengthBytes);
        return TRACK_ACCEPT;
    }

    /**
     * Removes the connection of node {@code ref} if it still has seqlock {@code seq} (for
     * example a TCP RST the stage wants gone at once). False if it changed or was claimed by
     * someone else.
     */
    public boolean remove(int ref, int seq) {
        if (ref >>> 1 >= table.capacity || !table.claimForRemoval(ref >>> 1, seq)) {
            return false;
        }
        return table.removeClaimed(ref >>> 1, stripe);
    }
}
