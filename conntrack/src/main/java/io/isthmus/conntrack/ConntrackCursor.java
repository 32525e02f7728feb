package io.isthmus.conntrack;

import static io.isthmus.conntrack.ConntrackDescriptor.*;
import static io.isthmus.conntrack.ConntrackTable.INT;
import static io.isthmus.conntrack.ConntrackTable.LONG;

import io.isthmus.conntrack.proto.ConntrackTracking;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

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

    private static final int WALK_MISS = -1;
    private static final int WALK_RESTART = -2;
    private static final int LINKED = -1;
    private static final long PROTO_ZONE_MASK = 0xFF_FFFF_0000L;
    /** Buckets an early drop looks at, starting with the new connection's (NF_CT_EVICTION_RANGE). */
    static final int EARLY_DROP_BUCKETS = 8;

    /**
     * All of memory as one segment, for the read-only chain walk: a static final segment lets
     * the JIT drop the per-access bounds and liveness checks of the table's own segment
     * (addresses on the walk are data dependent, so those checks are never hoisted). Only
     * addresses inside the table's mapping are read through it; the mapping outlives every
     * cursor (see {@link ConntrackTable#close()}).
     */
    private static final MemorySegment MEMORY = MemorySegment.NULL.reinterpret(Long.MAX_VALUE);

    private final ConntrackTable table;
    private final MemorySegment segment;
    /** Base address of the table's mapping. */
    private final long address;
    private final int stripe;
    private final ConnectionSpec spec = new ConnectionSpec();
    private final ConntrackLookupBatch single = new ConntrackLookupBatch(1);
    private int existingRef = -1;
    private int insertedSeqZone;
    private long searched;
    /** Sink for the touch pass, so the JIT keeps its loads. */
    private long touched;

    ConntrackCursor(ConntrackTable table, int stripe) {
        this.table = table;
        this.segment = table.segment;
        this.address = table.segment.address();
        this.stripe = stripe;
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

    /** After a successful insert: the new entry's seqlock-and-zone half (for {@link #track}, {@link #remove}). */
    public int insertedSeqZone() {
        return insertedSeqZone;
    }

    /** The single-key lookup's results (index 0), valid until the next lookup on this cursor. */
    public ConntrackLookupBatch lastLookup() {
        return single;
    }

    // ------------------------------------------------------------------ lookups

    /** Looks up one tuple. Returns the node ref (entry << 1 | direction) or -1; details in {@link #lastLookup()}. */
    public int lookup(long srcHi, long srcLo, long dstHi, long dstLo, int ports, int proto, int zone) {
        final ConntrackLookupBatch out = single;
        final long epoch = table.recycleEpoch();
        final int bucket = table.bucketOf(table.hash(srcHi, srcLo, dstHi, dstLo, ports, proto, zone));
        final int head = (int) INT.getAcquire(MEMORY, address + table.bucketOffset(bucket)) & BUCKET_LINK_MASK;
        int result = walk(head, srcHi, srcLo, dstHi, dstLo, ports, proto, zone, -1, out, 0);
        if (result == WALK_RESTART || result == WALK_MISS && table.recycleEpoch() != epoch) {
            // Rare: something moved under the walk. Retry from the bucket head, bounded.
            out.key(0, srcHi, srcLo, dstHi, dstLo, ports, proto, zone);
            out.hash[0] = bucket;
            result = slowFind(out, 0, result == WALK_MISS ? epoch : ~epoch);
        } else if (result < 0) {
            result = -1;
        }
        out.ref[0] = result;
        maybeFlushSearched();
        return result;
    }

    /**
     * Looks up keys {@code 0..count-1} of {@code batch} in passes. Returns the number of hits.
     */
    public int lookupBatch(ConntrackLookupBatch batch, int count) {
        final long epoch = table.recycleEpoch();
        // Pass 1: hash every key.
        for (int i = 0; i < count; i++) {
            batch.hash[i] = table.bucketOf(table.hash(batch.srcHi[i], batch.srcLo[i], batch.dstHi[i], batch.dstLo[i],
                batch.ports[i], batch.proto[i], batch.zone[i]));
        }
        // Pass 2: load every bucket head (independent loads, they overlap).
        for (int i = 0; i < count; i++) {
            batch.headLink[i] = (int) INT.getAcquire(MEMORY, address + table.bucketOffset(batch.hash[i])) & BUCKET_LINK_MASK;
        }
        // Pass 3: touch the key of every first node, again independent loads.
        long sink = 0;
        for (int i = 0; i < count; i++) {
            final int link = batch.headLink[i];
            if (link != 0 && (link - 1) >>> 1 < table.capacity) { // a corrupt link is left to walk() to reject
                sink += MEMORY.get(ValueLayout.JAVA_LONG, address + table.entryBase((link - 1) >>> 1) + ORIG_SRC_LO);
            }
        }
        touched = sink;
        // Pass 4: walk and compare.
        int hits = 0;
        for (int i = 0; i < count; i++) {
            int result = walk(batch.headLink[i], batch.srcHi[i], batch.srcLo[i], batch.dstHi[i], batch.dstLo[i],
                batch.ports[i], batch.proto[i], batch.zone[i], -1, batch, i);
            if (result < 0) {
                result = slowFind(batch, i, result == WALK_MISS ? epoch : ~epoch);
            }
            batch.ref[i] = result;
            if (result >= 0) {
                hits++;
            }
        }
        maybeFlushSearched();
        return hits;
    }

    /** A miss after a possible reuse, or a restart: walk again from the bucket head, bounded. */
    private int slowFind(ConntrackLookupBatch batch, int i, long epochSeen) {
        long epoch = epochSeen;
        for (int attempt = 0; attempt < ConntrackTable.MAX_RESTARTS; attempt++) {
            final long now = table.recycleEpoch();
            if (now == epoch) {
                return -1;
            }
            epoch = now;
            table.addCounter(stripe, ConntrackCounter.SEARCH_RESTARTS, 1);
            final int head = (int) INT.getAcquire(segment, table.bucketOffset(batch.hash[i])) & BUCKET_LINK_MASK;
            final int result = walk(head, batch.srcHi[i], batch.srcLo[i], batch.dstHi[i], batch.dstLo[i],
                batch.ports[i], batch.proto[i], batch.zone[i], -1, batch, i);
            if (result >= 0) {
                return result;
            }
            if (result == WALK_RESTART) {
                epoch = ~now;
            }
        }
        return -1;
    }

    /**
     * Walks a chain from {@code link} for a live node with this key, ignoring nodes of entry
     * {@code selfIndex}. On a hit with {@code out != null}, copies the snapshot into {@code out[i]}.
     * Returns the node ref, {@link #WALK_MISS}, or {@link #WALK_RESTART} if an entry changed under it.
     */
    private int walk(int link, long srcHi, long srcLo, long dstHi, long dstLo, int ports, int proto, int zone,
                     int selfIndex, ConntrackLookupBatch out, int i) {
        final long protoZone = (long) proto << 32 | (long) zone << 16;
        int hops = 0;
        while (link != 0) {
            final int ref = link - 1;
            final int entryIndex = ref >>> 1;
            final int dir = ref & 1;
            if (entryIndex >= table.capacity) {
                // Never for a sound table; reading through MEMORY must stay inside the mapping.
                searched += hops + 1;
                return WALK_RESTART;
            }
            final long base = address + table.entryBase(entryIndex);
            final long control = (long) LONG.getAcquire(MEMORY, base + CONTROL);
            if (seqOdd(control)) {
                searched += hops + 1;
                return WALK_RESTART;
            }
            final long tuple = base + dir * (long) REPLY_ADDRESS_DELTA;
            final boolean match = entryIndex != selfIndex
                && MEMORY.get(ValueLayout.JAVA_LONG, tuple + ORIG_SRC_LO) == srcLo
                && MEMORY.get(ValueLayout.JAVA_LONG, tuple + ORIG_DST_LO) == dstLo
                && MEMORY.get(ValueLayout.JAVA_INT, base + ORIG_PORTS + dir * (long) REPLY_PORTS_DELTA) == ports
                && MEMORY.get(ValueLayout.JAVA_LONG, tuple + ORIG_SRC_HI) == srcHi
                && MEMORY.get(ValueLayout.JAVA_LONG, tuple + ORIG_DST_HI) == dstHi
                && (control & PROTO_ZONE_MASK) == protoZone;
            final int nextLink = MEMORY.get(ValueLayout.JAVA_INT, base + (dir == 0 ? NEXT_ORIG : NEXT_REPLY));
            if (match && out != null) {
                // The rewrite target: the other direction's tuple, mirrored.
                final long other = base + (1 - dir) * (long) REPLY_ADDRESS_DELTA;
                out.natSrcHi[i] = MEMORY.get(ValueLayout.JAVA_LONG, other + ORIG_DST_HI);
                out.natSrcLo[i] = MEMORY.get(ValueLayout.JAVA_LONG, other + ORIG_DST_LO);
                out.natDstHi[i] = MEMORY.get(ValueLayout.JAVA_LONG, other + ORIG_SRC_HI);
                out.natDstLo[i] = MEMORY.get(ValueLayout.JAVA_LONG, other + ORIG_SRC_LO);
                final int otherPorts = MEMORY.get(ValueLayout.JAVA_INT, base + ORIG_PORTS + (1 - dir) * (long) REPLY_PORTS_DELTA);
                out.natPorts[i] = otherPorts << 16 | otherPorts >>> 16;
                out.decision[i] = MEMORY.get(ValueLayout.JAVA_INT, base + DECISION);
            }
            VarHandle.loadLoadFence();
            final long recheck = MEMORY.get(ValueLayout.JAVA_LONG, base + CONTROL);
            if ((int) recheck != (int) control) {
                searched += hops + 1;
                return WALK_RESTART;
            }
            if (match && (statusFlags(controlStatus(recheck)) & ConntrackFlags.DYING) == 0) {
                if (out != null) {
                    out.control[i] = recheck;
                }
                searched += hops + 1;
                return ref;
            }
            link = nextLink;
            if (++hops > ConntrackTable.MAX_CHAIN_HOPS) {
                searched += hops;
                return WALK_RESTART;
            }
        }
        searched += hops;
        return WALK_MISS;
    }

    /** The searched counter is published every few thousand nodes, not on every lookup. */
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
     * unassured to drop) or {@link #INSERT_INVALID} (state NONE).
     */
    public int insert(ConnectionSpec c, int nowS) {
        if (c.stateId == ConntrackState.NONE.id() || c.proto == 0) {
            return INSERT_INVALID;
        }
        final int bucketOrig = table.bucketOf(table.hash(c.origSrcHi, c.origSrcLo, c.origDstHi, c.origDstLo, c.origPorts, c.proto, c.zone));
        final int bucketReply = table.bucketOf(table.hash(c.replySrcHi, c.replySrcLo, c.replyDstHi, c.replyDstLo, c.replyPorts, c.proto, c.zone));
        int entryIndex = table.popFree();
        if (entryIndex < 0) {
            entryIndex = earlyDrop(bucketOrig);
            if (entryIndex < 0) {
                table.addCounter(stripe, ConntrackCounter.REFUSED, 1);
                flushSearched();
                return INSERT_FULL;
            }
        }
        final long base = table.entryBase(entryIndex);
        final long freeControl = (long) LONG.getAcquire(segment, base + CONTROL);
        segment.set(ValueLayout.JAVA_INT, base + NEXT_ORIG, 0);
        segment.set(ValueLayout.JAVA_INT, base + NEXT_REPLY, 0);
        segment.set(ValueLayout.JAVA_INT, base + DECISION, decision(c.serviceId, c.outPort));
        segment.set(ValueLayout.JAVA_INT, base + LAST_SEEN_S, nowS);
        segment.set(ValueLayout.JAVA_LONG, base + ORIG_SRC_HI, c.origSrcHi);
        segment.set(ValueLayout.JAVA_LONG, base + ORIG_SRC_LO, c.origSrcLo);
        segment.set(ValueLayout.JAVA_LONG, base + ORIG_DST_HI, c.origDstHi);
        segment.set(ValueLayout.JAVA_LONG, base + ORIG_DST_LO, c.origDstLo);
        segment.set(ValueLayout.JAVA_LONG, base + REPLY_SRC_HI, c.replySrcHi);
        segment.set(ValueLayout.JAVA_LONG, base + REPLY_SRC_LO, c.replySrcLo);
        segment.set(ValueLayout.JAVA_LONG, base + REPLY_DST_HI, c.replyDstHi);
        segment.set(ValueLayout.JAVA_LONG, base + REPLY_DST_LO, c.replyDstLo);
        segment.set(ValueLayout.JAVA_INT, base + ORIG_PORTS, c.origPorts);
        segment.set(ValueLayout.JAVA_INT, base + REPLY_PORTS, c.replyPorts);
        segment.set(ValueLayout.JAVA_LONG, base + ORIG_PACKETS, 0L);
        segment.set(ValueLayout.JAVA_LONG, base + ORIG_BYTES, 0L);
        segment.set(ValueLayout.JAVA_LONG, base + REPLY_BYTES, 0L);
        final int seqZone = (((int) freeControl + 1) & 0xFFFF) | (c.zone & 0xFFFF) << 16;
        final int status = status(c.proto, c.stateId,
            c.flags & ~(ConntrackFlags.DYING | ConntrackFlags.ORPHANED | ConntrackFlags.CONFIRMED), c.verdict);
        // Publish: even seqlock, release, after every field above.
        LONG.setRelease(segment, base + CONTROL, control(seqZone, status));

        final int linkOrig = link(bucketOrig, entryIndex << 1 | DIR_ORIGINAL, c.origSrcHi, c.origSrcLo, c.origDstHi,
            c.origDstLo, c.origPorts, c.proto, c.zone, entryIndex);
        if (linkOrig >= 0) {
            // Never reachable from a chain: straight back to the free list.
            LONG.setRelease(segment, base + CONTROL, advanceSeq(control(seqZone, status), 0));
            table.pushFree(entryIndex);
            return failInsert(INSERT_EXISTS, linkOrig);
        }
        if (linkOrig != LINKED) {
            return removeHalfInserted(entryIndex, seqZone, c, INSERT_EXISTS, linkOrig & Integer.MAX_VALUE);
        }
        final int linkReply = link(bucketReply, entryIndex << 1 | DIR_REPLY, c.replySrcHi, c.replySrcLo, c.replyDstHi,
            c.replyDstLo, c.replyPorts, c.proto, c.zone, entryIndex);
        if (linkReply != LINKED) {
            return removeHalfInserted(entryIndex, seqZone, c, INSERT_CLASH, linkReply & Integer.MAX_VALUE);
        }
        // Confirm: from now on others may claim it. The seqlock cannot move meanwhile (nobody
        // claims an unconfirmed entry); the state may (a packet tracked already), hence a loop.
        while (true) {
            final long control = (long) LONG.getAcquire(segment, base + CONTROL);
            if (LONG.compareAndSet(segment, base + CONTROL, control,
                control(seqZone, withFlags(controlStatus(control), ConntrackFlags.CONFIRMED)))) {
                break;
            }
        }
        table.addCounter(stripe, ConntrackCounter.INSERTS, 1);
        flushSearched();
        insertedSeqZone = seqZone;
        return entryIndex << 1 | DIR_ORIGINAL;
    }

    /**
     * The entry is reachable through at least one chain: remove it like any other (or leave it
     * DYING for the sweeper if an unlink lock is busy). Its SNAT flag is dropped first: on
     * failure the caller still owns its SNAT port and releases it itself.
     */
    private int removeHalfInserted(int entryIndex, int seqZone, ConnectionSpec c, int code, int existing) {
        final long base = table.entryBase(entryIndex);
        LONG.setRelease(segment, base + CONTROL,
            control(seqZone, status(c.proto, c.stateId,
                (c.flags & ~(ConntrackFlags.SNAT | ConntrackFlags.CONFIRMED | ConntrackFlags.ORPHANED)) | ConntrackFlags.DYING, c.verdict)));
        table.removeClaimed(entryIndex, stripe);
        table.addCounter(stripe, ConntrackCounter.INSERTS, 1);
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
     * Links node {@code ref} at the head of {@code bucket} unless a live node with the same key
     * is there. Returns {@link #LINKED}; the existing node's ref (ours not linked); or
     * {@code Integer.MIN_VALUE | existingRef} when the duplicate showed up only after linking
     * (ours is linked and the caller must remove it).
     */
    private int link(int bucket, int ref, long srcHi, long srcLo, long dstHi, long dstLo, int ports, int proto,
                     int zone, int selfIndex) {
        final long bucketOffset = table.bucketOffset(bucket);
        final long nextOffset = table.entryBase(ref >>> 1) + ((ref & 1) == 0 ? NEXT_ORIG : NEXT_REPLY);
        while (true) {
            final long epoch = table.recycleEpoch();
            final int word = (int) INT.getAcquire(segment, bucketOffset);
            final int head = word & BUCKET_LINK_MASK;
            final int found = walk(head, srcHi, srcLo, dstHi, dstLo, ports, proto, zone, selfIndex, null, 0);
            if (found >= 0) {
                return found;
            }
            if (found == WALK_RESTART || table.recycleEpoch() != epoch) {
                continue;
            }
            segment.set(ValueLayout.JAVA_INT, nextOffset, head);
            if (INT.compareAndSet(segment, bucketOffset, word, (ref + 1) | (word & BUCKET_LOCK))) {
                if (table.recycleEpoch() != epoch) {
                    // The head we checked may have been freed and reused for this very key
                    // between our walk and our CAS (ABA). The earlier node wins: look behind us.
                    final int behind = findBehind(bucketOffset, ref, srcHi, srcLo, dstHi, dstLo, ports, proto, zone, selfIndex);
                    if (behind >= 0) {
                        return Integer.MIN_VALUE | behind;
                    }
                }
                return LINKED;
            }
        }
    }

    /** Looks for a live duplicate linked after our own node {@code ref} in the chain. */
    private int findBehind(long bucketOffset, int ref, long srcHi, long srcLo, long dstHi, long dstLo, int ports,
                           int proto, int zone, int selfIndex) {
        for (int attempt = 0; attempt < ConntrackTable.MAX_RESTARTS; attempt++) {
            final long ourNext = table.entryBase(ref >>> 1) + ((ref & 1) == 0 ? NEXT_ORIG : NEXT_REPLY);
            final int result = walk(segment.get(ValueLayout.JAVA_INT, ourNext), srcHi, srcLo, dstHi, dstLo, ports, proto,
                zone, selfIndex, null, 0);
            if (result != WALK_RESTART) {
                return result;
            }
        }
        return WALK_MISS;
    }

    /**
     * No free entry: drop the least recently seen unassured connection whose node is in the
     * first {@link #EARLY_DROP_BUCKETS} buckets from the new one's, as nf_conntrack does, and
     * take its entry. Returns the entry index or -1.
     */
    private int earlyDrop(int firstBucket) {
        int victim = -1;
        int victimSeqZone = 0;
        int victimLastSeen = Integer.MAX_VALUE;
        for (int b = 0; b < EARLY_DROP_BUCKETS && b < table.bucketCount; b++) {
            int bucket = firstBucket + b;
            if (bucket >= table.bucketCount) {
                bucket -= table.bucketCount;
            }
            int link = (int) INT.getAcquire(segment, table.bucketOffset(bucket)) & BUCKET_LINK_MASK;
            for (int hops = 0; link != 0 && hops < 64; hops++) {
                final int ref = link - 1;
                final long base = table.entryBase(ref >>> 1);
                final long control = (long) LONG.getAcquire(segment, base + CONTROL);
                final int flags = statusFlags(controlStatus(control));
                final int lastSeen = (int) INT.getOpaque(segment, base + LAST_SEEN_S);
                link = segment.get(ValueLayout.JAVA_INT, base + ((ref & 1) == 0 ? NEXT_ORIG : NEXT_REPLY));
                searched++;
                if (seqOdd(control)) {
                    break;
                }
                if ((flags & (ConntrackFlags.ASSURED | ConntrackFlags.DYING | ConntrackFlags.CONFIRMED)) == ConntrackFlags.CONFIRMED
                    && lastSeen < victimLastSeen) {
                    victim = ref >>> 1;
                    victimSeqZone = controlSeqZone(control);
                    victimLastSeen = lastSeen;
                }
            }
        }
        if (victim < 0 || !table.claimForRemoval(victim, victimSeqZone)) {
            return -1;
        }
        if (!table.removeClaimed(victim, stripe)) {
            return -1;
        }
        table.addCounter(stripe, ConntrackCounter.EARLY_DROPS, 1);
        return table.popFree();
    }

    // ------------------------------------------------------------------ per-packet tracking

    /**
     * Accounts one packet of {@code lengthBytes} travelling in {@code direction} on the entry of
     * node {@code ref} (from a lookup whose seqlock half was {@code seqZone}) and advances its
     * protocol state. Returns {@link #TRACK_ACCEPT}, {@link #TRACK_INVALID} (state unchanged, not
     * counted) or {@link #TRACK_STALE} (the entry was removed or reused since the lookup).
     */
    public int track(int ref, int seqZone, int tcpFlags, int lengthBytes, int nowS) {
        final int direction = ref & 1;
        final long base = table.entryBase(ref >>> 1);
        while (true) {
            final long control = (long) LONG.getAcquire(segment, base + CONTROL);
            final int status = controlStatus(control);
            if (controlSeqZone(control) != seqZone || (statusFlags(status) & ConntrackFlags.DYING) != 0) {
                return TRACK_STALE;
            }
            final long advanced = ConntrackTracking.advance(status, direction, tcpFlags);
            if ((advanced & ConntrackTracking.INVALID) != 0) {
                return TRACK_INVALID;
            }
            final int newStatus = (int) advanced;
            if (newStatus == status || LONG.compareAndSet(segment, base + CONTROL, control, control(seqZone, newStatus))) {
                break;
            }
        }
        INT.getAndAdd(segment, base + (direction == 0 ? ORIG_PACKETS : REPLY_PACKETS), 1);
        LONG.getAndAdd(segment, base + (direction == 0 ? ORIG_BYTES : REPLY_BYTES), (long) lengthBytes);
        if (segment.get(ValueLayout.JAVA_INT, base + LAST_SEEN_S) != nowS) {
            INT.setOpaque(segment, base + LAST_SEEN_S, nowS);
        }
        return TRACK_ACCEPT;
    }

    /**
     * Removes the connection of node {@code ref} if it still has seqlock {@code seqZone}
     * (for example a TCP RST the stage wants gone at once). False if it changed or an unlink
     * lock was busy (then it stays claimed and the sweeper finishes).
     */
    public boolean remove(int ref, int seqZone) {
        if (!table.claimForRemoval(ref >>> 1, seqZone)) {
            return false;
        }
        return table.removeClaimed(ref >>> 1, stripe);
    }
}
