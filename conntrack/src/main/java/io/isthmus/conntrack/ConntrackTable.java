package io.isthmus.conntrack;

import static io.isthmus.conntrack.ConntrackDescriptor.*;

import io.isthmus.conntrack.nat.SnatPortPool;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The connection table: entries in a memory-mapped file (see {@link ConntrackDescriptor}),
 * each found from two hash chains, one per direction, as in Linux nf_conntrack.
 *
 * <p>Thread-safety: the owner process maps it read-write. Any number of worker threads, each
 * with its own {@link ConntrackCursor} (own counter stripe), insert and update concurrently;
 * exactly one {@link ConntrackSweeper} removes expired entries. Memory orders:
 * <ul>
 * <li>bucket heads: getAcquire to read; compareAndSet to insert at the head (inserters never
 *     wait). Unlinking (sweeper, early drop, clash cleanup) takes the bucket's lock bit with
 *     compareAndSet (a bounded spin; on failure the removal is left to the sweeper) so that
 *     only one thread rewrites interior links; interior links are written with setRelease.</li>
 * <li>only CONFIRMED entries (both nodes linked) can be claimed for removal by anyone but
 *     their inserter.</li>
 * <li>entry key fields: written plainly while the seqlock is odd (free or being filled in),
 *     published by setRelease of the even value; readers getAcquire the seqlock, read plainly,
 *     {@link VarHandle#loadLoadFence()}, re-read and retry if it was odd or moved.</li>
 * <li>status word (state, flags): compareAndSet; counters: getAndAdd; last seen: setOpaque.</li>
 * <li>free list: a Treiber stack whose head carries an ABA stamp, compareAndSet.</li>
 * <li>recycleEpoch: getAndAdd (volatile) before a freed entry can be reused; a lookup that
 *     missed re-reads it (getAcquire) and retries if it moved, since its walk may have
 *     followed a link into an entry that had been reused in another chain.</li>
 * </ul>
 * Memory is never unmapped while the table is open; {@link #close()} must only be called
 * after every worker and the sweeper have stopped.
 */
public final class ConntrackTable implements AutoCloseable {

    static final VarHandle INT = ValueLayout.JAVA_INT.varHandle();
    static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();

    /** Upper bound of chain nodes one walk examines before it restarts (a cycle through reuse). */
    static final int MAX_CHAIN_HOPS = 1 << 12;
    /** Attempts at an unlink lock before a removal is handed to the sweeper. */
    static final int LOCK_ATTEMPTS = 256;
    /** Restarts of a lookup before it reports a miss. */
    static final int MAX_RESTARTS = 8;

    private final Arena arena;
    final MemorySegment segment;
    final int capacity;
    final int bucketCount;
    final long entriesOffset;
    final long hashSeed;
    final long epochUnixMs;
    final int[] timeoutsS;
    final SnatPortPool snatPool;
    private final java.nio.file.Path path;

    static {
        if (java.nio.ByteOrder.nativeOrder() != java.nio.ByteOrder.LITTLE_ENDIAN) {
            throw new ExceptionInInitializerError("the conntrack layout assumes a little-endian machine");
        }
    }

    private ConntrackTable(java.nio.file.Path path, Arena arena, MemorySegment segment, SnatPortPool snatPool) {
        this.path = path;
        this.arena = arena;
        this.segment = segment;
        this.capacity = segment.get(ValueLayout.JAVA_INT, CAPACITY_OFFSET);
        this.bucketCount = segment.get(ValueLayout.JAVA_INT, BUCKET_COUNT_OFFSET);
        this.entriesOffset = ConntrackDescriptor.entriesOffset(bucketCount);
        this.hashSeed = segment.get(ValueLayout.JAVA_LONG, HASH_SEED_OFFSET);
        this.epochUnixMs = segment.get(ValueLayout.JAVA_LONG, EPOCH_UNIX_MS_OFFSET);
        this.timeoutsS = new int[TIMEOUT_SLOTS];
        for (int i = 0; i < TIMEOUT_SLOTS; i++) {
            timeoutsS[i] = segment.get(ValueLayout.JAVA_INT, TIMEOUTS_OFFSET + 4L * i);
        }
        this.snatPool = snatPool;
    }

    /** Creates a new, empty table file (replacing any file at that path). */
    public static ConntrackTable create(ConntrackConfig config, SnatPortPool snatPool) throws IOException {
        final int capacity = config.capacityEntries();
        final int bucketCount = bucketCountFor(capacity);
        final long bytes = fileBytes(capacity, bucketCount);
        Files.deleteIfExists(config.path());
        final Arena arena = Arena.ofShared();
        final MemorySegment segment;
        try (FileChannel channel = FileChannel.open(config.path(), StandardOpenOption.CREATE_NEW,
            StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            channel.truncate(bytes);
            // tmpfs files are sparse: make sure the size is real before mapping.
            channel.write(java.nio.ByteBuffer.wrap(new byte[1]), bytes - 1);
            segment = channel.map(FileChannel.MapMode.READ_WRITE, 0, bytes, arena);
        } catch (IOException | RuntimeException e) {
            arena.close();
            throw new IOException("cannot create conntrack table " + config.path() + ": " + e.getMessage(), e);
        }
        initialize(segment, capacity, bucketCount, config.timeouts());
        return new ConntrackTable(config.path(), arena, segment, snatPool);
    }

    /**
     * A table in anonymous memory, not shared with other processes (tests, benchmarks). Its
     * memory is freed by the garbage collector; {@link #close()} only marks it ownerless.
     */
    public static ConntrackTable createInMemory(int capacity, ConntrackTimeouts timeouts, SnatPortPool snatPool) {
        new ConntrackConfig(ConntrackConfig.DEFAULT_PATH, capacity, timeouts); // validates
        final MemorySegment segment = Arena.ofAuto().allocate(fileBytes(capacity, bucketCountFor(capacity)), 64);
        initialize(segment, capacity, bucketCountFor(capacity), timeouts);
        return new ConntrackTable(null, null, segment, snatPool);
    }

    /**
     * Two buckets per connection: each connection has two nodes, so chains hold one node on
     * average. (One bucket per connection saves 4 bytes but doubles the chains.)
     */
    static int bucketCountFor(int capacity) {
        return 2 * capacity;
    }

    private static void initialize(MemorySegment segment, int capacity, int bucketCount, ConntrackTimeouts timeouts) {
        segment.set(ValueLayout.JAVA_INT, VERSION_OFFSET, VERSION);
        segment.set(ValueLayout.JAVA_INT, ENTRY_BYTES_OFFSET, ENTRY_BYTES);
        segment.set(ValueLayout.JAVA_INT, CAPACITY_OFFSET, capacity);
        segment.set(ValueLayout.JAVA_INT, BUCKET_COUNT_OFFSET, bucketCount);
        segment.set(ValueLayout.JAVA_LONG, HASH_SEED_OFFSET, ThreadLocalRandom.current().nextLong());
        segment.set(ValueLayout.JAVA_LONG, EPOCH_UNIX_MS_OFFSET, System.currentTimeMillis());
        writeTimeouts(segment, timeouts);
        final long entries = ConntrackDescriptor.entriesOffset(bucketCount);
        // Every entry starts free (seqlock odd), chained into the free list in index order.
        for (int i = 0; i < capacity; i++) {
            final long base = entries + (long) ENTRY_BYTES * i;
            segment.set(ValueLayout.JAVA_LONG, base + CONTROL, control(1, 0));
            segment.set(ValueLayout.JAVA_INT, base + NEXT_ORIG, i + 1 < capacity ? i + 2 : 0);
        }
        segment.set(ValueLayout.JAVA_LONG, FREE_HEAD_OFFSET, 1L);
        segment.set(ValueLayout.JAVA_LONG, OWNER_PID_OFFSET, ProcessHandle.current().pid());
        LONG.setRelease(segment, (long) OWNER_HEARTBEAT_MS_OFFSET, System.currentTimeMillis());
        LONG.setRelease(segment, (long) MAGIC_OFFSET, MAGIC);
    }

    /**
     * Opens the table an earlier owner left (a fast-path restart) and rebuilds what cannot be
     * trusted after a crash: the hash chains, the free list and the SNAT port reservations are
     * recomputed from the live entries. Must run before any worker starts.
     */
    public static ConntrackTable openAsOwner(ConntrackConfig config, SnatPortPool snatPool) throws IOException {
        final Arena arena = Arena.ofShared();
        final MemorySegment segment;
        try (FileChannel channel = FileChannel.open(config.path(), StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            segment = channel.map(FileChannel.MapMode.READ_WRITE, 0, channel.size(), arena);
        } catch (IOException | RuntimeException e) {
            arena.close();
            throw new IOException("cannot open conntrack table " + config.path() + ": " + e.getMessage(), e);
        }
        final String problem = validate(segment);
        if (problem != null) {
            arena.close();
            throw new IOException("conntrack table " + config.path() + " " + problem);
        }
        writeTimeouts(segment, config.timeouts());
        final ConntrackTable table = new ConntrackTable(config.path(), arena, segment, snatPool);
        table.rebuild();
        segment.set(ValueLayout.JAVA_LONG, OWNER_PID_OFFSET, ProcessHandle.current().pid());
        LONG.setRelease(segment, (long) OWNER_HEARTBEAT_MS_OFFSET, System.currentTimeMillis());
        return table;
    }

    /** Opens the file if it is a valid table, else creates it. */
    public static ConntrackTable createOrOpen(ConntrackConfig config, SnatPortPool snatPool) throws IOException {
        if (Files.exists(config.path())) {
            return openAsOwner(config, snatPool);
        }
        return create(config, snatPool);
    }

    /** Null if the mapped bytes are a table this code understands, else the reason. */
    public static String validate(MemorySegment segment) {
        if (segment.byteSize() < HEADER_BYTES) {
            return "is too short (" + segment.byteSize() + " bytes) to be a conntrack table";
        }
        if ((long) LONG.getAcquire(segment, (long) MAGIC_OFFSET) != MAGIC) {
            return "is not a conntrack table (bad magic)";
        }
        final int version = segment.get(ValueLayout.JAVA_INT, VERSION_OFFSET);
        if (version != VERSION) {
            return "has layout version " + version + ", this program reads version " + VERSION;
        }
        if (segment.get(ValueLayout.JAVA_INT, ENTRY_BYTES_OFFSET) != ENTRY_BYTES) {
            return "has entries of " + segment.get(ValueLayout.JAVA_INT, ENTRY_BYTES_OFFSET) + " bytes, expected " + ENTRY_BYTES;
        }
        final int capacity = segment.get(ValueLayout.JAVA_INT, CAPACITY_OFFSET);
        final int buckets = segment.get(ValueLayout.JAVA_INT, BUCKET_COUNT_OFFSET);
        if (capacity < 1 || buckets < 1 || fileBytes(capacity, buckets) > segment.byteSize()) {
            return "is truncated: capacity " + capacity + " needs " + fileBytes(capacity, buckets) + " bytes, file has " + segment.byteSize();
        }
        return null;
    }

    private static void writeTimeouts(MemorySegment segment, ConntrackTimeouts timeouts) {
        final int[] values = timeouts.copy();
        for (int i = 0; i < values.length; i++) {
            segment.set(ValueLayout.JAVA_INT, TIMEOUTS_OFFSET + 4L * i, values[i]);
        }
    }

    private void rebuild() {
        segment.asSlice(HEADER_BYTES, 4L * bucketCount).fill((byte) 0);
        int freeHead = 0;
        for (int i = capacity - 1; i >= 0; i--) {
            final long base = entryBase(i);
            final long control = segment.get(ValueLayout.JAVA_LONG, base + CONTROL);
            final int seqZone = controlSeqZone(control);
            final int status = controlStatus(control);
            final boolean live = (seqZone & 1) == 0
                && (statusFlags(status) & (ConntrackFlags.DYING | ConntrackFlags.CONFIRMED)) == ConntrackFlags.CONFIRMED;
            if (live) {
                for (int dir = 0; dir < 2; dir++) {
                    final int bucket = bucketOf(hashOfEntry(base, dir));
                    final long bucketOffset = bucketOffset(bucket);
                    segment.set(ValueLayout.JAVA_INT, base + (dir == 0 ? NEXT_ORIG : NEXT_REPLY),
                        segment.get(ValueLayout.JAVA_INT, bucketOffset));
                    segment.set(ValueLayout.JAVA_INT, bucketOffset, ((i << 1) | dir) + 1);
                }
                if ((statusFlags(status) & ConntrackFlags.SNAT) != 0 && snatPool != null) {
                    snatPool.markUsed(segment.get(ValueLayout.JAVA_LONG, base + REPLY_DST_HI),
                        segment.get(ValueLayout.JAVA_LONG, base + REPLY_DST_LO), statusProto(status),
                        destinationPort(segment.get(ValueLayout.JAVA_INT, base + REPLY_PORTS)));
                }
            } else {
                segment.set(ValueLayout.JAVA_LONG, base + CONTROL, control(seqZone | 1, 0));
                segment.set(ValueLayout.JAVA_INT, base + NEXT_ORIG, freeHead);
                freeHead = i + 1;
            }
        }
        final long stamp = (segment.get(ValueLayout.JAVA_LONG, FREE_HEAD_OFFSET) >>> 32) + 1;
        LONG.getAndAdd(segment, (long) RECYCLE_EPOCH_OFFSET, 1L);
        LONG.setRelease(segment, (long) FREE_HEAD_OFFSET, stamp << 32 | (freeHead & 0xFFFF_FFFFL));
    }

    // ------------------------------------------------------------------ clock and timeouts

    /** Seconds since the table's epoch: the unit of last-seen and expiry. */
    public int nowS(long unixMs) {
        return (int) ((unixMs - epochUnixMs) / 1000);
    }

    public int timeoutS(int stateId) {
        return timeoutsS[stateId];
    }

    public int capacity() {
        return capacity;
    }

    public int bucketCount() {
        return bucketCount;
    }

    public java.nio.file.Path path() {
        return path;
    }

    public SnatPortPool snatPool() {
        return snatPool;
    }

    /** A worker's handle: stripe ids 0..{@value ConntrackDescriptor#STRIPES}-2, one per thread. */
    public ConntrackCursor cursor(int workerStripe) {
        if (workerStripe < 0 || workerStripe >= SWEEPER_STRIPE) {
            throw new IllegalArgumentException("worker stripe must be 0.." + (SWEEPER_STRIPE - 1) + ", got " + workerStripe);
        }
        return new ConntrackCursor(this, workerStripe);
    }

    /** Sum of a counter over all stripes. */
    public long counter(ConntrackCounter counter) {
        return sumCounter(segment, counter);
    }

    static long sumCounter(MemorySegment segment, ConntrackCounter counter) {
        long sum = 0;
        for (int stripe = 0; stripe < STRIPES; stripe++) {
            sum += (long) LONG.getAcquire(segment, stripeOffset(stripe, counter));
        }
        return sum;
    }

    /** Live connections: inserts minus deletes (a racy but never torn sum). */
    public long size() {
        return counter(ConntrackCounter.INSERTS) - counter(ConntrackCounter.DELETES);
    }

    // ------------------------------------------------------------------ addressing and hashing

    long entryBase(int entryIndex) {
        return entriesOffset + (long) ENTRY_BYTES * entryIndex;
    }

    long bucketOffset(int bucket) {
        return HEADER_BYTES + 4L * bucket;
    }

    /** Lemire's multiply-shift range reduction: any bucket count, no modulo. */
    int bucketOf(int hash) {
        return (int) (((hash & 0xFFFF_FFFFL) * bucketCount) >>> 32);
    }

    int hash(long srcHi, long srcLo, long dstHi, long dstLo, int ports, int proto, int zone) {
        long h = hashSeed;
        h ^= srcLo * 0x9E37_79B9_7F4A_7C15L;
        h ^= Long.rotateLeft(dstLo * 0xC2B2_AE3D_27D4_EB4FL, 17);
        h ^= Long.rotateLeft(srcHi * 0x1656_67B1_9E37_79F9L, 31);
        h ^= Long.rotateLeft(dstHi * 0xD6E8_FEB8_6659_FD93L, 47);
        h ^= ((ports & 0xFFFF_FFFFL) | (long) proto << 32 | (long) zone << 40) * 0x94D0_49BB_1331_11EBL;
        h ^= h >>> 32;
        h *= 0xBF58_476D_1CE4_E5B9L;
        h ^= h >>> 29;
        return (int) (h >>> 32);
    }

    int hashOfEntry(long base, int dir) {
        final long a = base + dir * (long) REPLY_ADDRESS_DELTA;
        return hash(segment.get(ValueLayout.JAVA_LONG, a + ORIG_SRC_HI), segment.get(ValueLayout.JAVA_LONG, a + ORIG_SRC_LO),
            segment.get(ValueLayout.JAVA_LONG, a + ORIG_DST_HI), segment.get(ValueLayout.JAVA_LONG, a + ORIG_DST_LO),
            segment.get(ValueLayout.JAVA_INT, base + ORIG_PORTS + dir * (long) REPLY_PORTS_DELTA),
            statusProto(segment.get(ValueLayout.JAVA_INT, base + STATUS)),
            segment.get(ValueLayout.JAVA_INT, base + SEQ_ZONE) >>> 16);
    }

    // ------------------------------------------------------------------ free list (Treiber stack)

    /** Pops a free entry index, or -1 if none. Lock-free: retries only when another thread won. */
    int popFree() {
        while (true) {
            final long head = (long) LONG.getAcquire(segment, (long) FREE_HEAD_OFFSET);
            final int link = (int) head;
            if (link == 0) {
                return -1;
            }
            final int index = link - 1;
            // May be stale if another thread popped this entry meanwhile; the stamp makes the CAS fail.
            final int next = segment.get(ValueLayout.JAVA_INT, entryBase(index) + NEXT_ORIG);
            final long newHead = ((head >>> 32) + 1) << 32 | (next & 0xFFFF_FFFFL);
            if (LONG.compareAndSet(segment, (long) FREE_HEAD_OFFSET, head, newHead)) {
                return index;
            }
        }
    }

    /** Returns an unlinked entry to the free list; its seqlock must already be odd. */
    void pushFree(int entryIndex) {
        final long base = entryBase(entryIndex);
        // Anyone still walking through this entry must notice that it may be reused.
        LONG.getAndAdd(segment, (long) RECYCLE_EPOCH_OFFSET, 1L);
        while (true) {
            final long head = (long) LONG.getAcquire(segment, (long) FREE_HEAD_OFFSET);
            segment.set(ValueLayout.JAVA_INT, base + NEXT_ORIG, (int) head);
            final long newHead = ((head >>> 32) + 1) << 32 | ((entryIndex + 1) & 0xFFFF_FFFFL);
            if (LONG.compareAndSet(segment, (long) FREE_HEAD_OFFSET, head, newHead)) {
                return;
            }
        }
    }

    long recycleEpoch() {
        return (long) LONG.getAcquire(segment, (long) RECYCLE_EPOCH_OFFSET);
    }

    // ------------------------------------------------------------------ bucket locks (unlinkers only)

    /** Tries to set the bucket's lock bit; false if another unlinker holds it. Never waits. */
    boolean tryLockBucket(int bucket) {
        final long offset = bucketOffset(bucket);
        // Bounded: another unlinker holds a bucket lock for a few hundred nanoseconds at most;
        // after LOCK_ATTEMPTS the caller gives the removal to the sweeper instead of waiting.
        for (int attempt = 0; attempt < LOCK_ATTEMPTS; attempt++) {
            final int word = (int) INT.getAcquire(segment, offset);
            if ((word & BUCKET_LOCK) == 0 && INT.compareAndSet(segment, offset, word, word | BUCKET_LOCK)) {
                return true;
            }
            Thread.onSpinWait();
        }
        return false;
    }

    /** Clears the lock bit; inserters may move the head meanwhile, so this is a CAS loop. */
    void unlockBucket(int bucket) {
        final long offset = bucketOffset(bucket);
        while (true) {
            final int word = (int) INT.getAcquire(segment, offset);
            if (INT.compareAndSet(segment, offset, word, word & ~BUCKET_LOCK)) {
                return;
            }
        }
    }

    /**
     * Removes node {@code ref} from its chain. The caller holds the bucket's lock, so it is the
     * only thread rewriting interior links; inserters only ever replace the head.
     */
    boolean unlinkNode(int bucket, int ref) {
        final long bucketOffset = bucketOffset(bucket);
        final long nodeBase = entryBase(ref >>> 1);
        final int nodeNext = segment.get(ValueLayout.JAVA_INT, nodeBase + ((ref & 1) == 0 ? NEXT_ORIG : NEXT_REPLY));
        while (true) {
            final int word = (int) INT.getAcquire(segment, bucketOffset);
            if ((word & BUCKET_LINK_MASK) != ref + 1) {
                break;
            }
            if (INT.compareAndSet(segment, bucketOffset, word, nodeNext | (word & BUCKET_LOCK))) {
                return true;
            }
        }
        int link = (int) INT.getAcquire(segment, bucketOffset) & BUCKET_LINK_MASK;
        for (int hops = 0; link != 0 && hops < capacity * 2 + 1; hops++) {
            final int prev = link - 1;
            final long nextOffset = entryBase(prev >>> 1) + ((prev & 1) == 0 ? NEXT_ORIG : NEXT_REPLY);
            final int next = segment.get(ValueLayout.JAVA_INT, nextOffset);
            if (next == ref + 1) {
                INT.setRelease(segment, nextOffset, nodeNext);
                return true;
            }
            link = next;
        }
        return false;
    }

    /**
     * Unlinks a connection whose DYING flag the caller set (the caller owns it: nobody else
     * writes a DYING entry's control word), releases its SNAT port and frees the entry. Returns
     * false if an unlink lock was busy: the entry is then marked ORPHANED, stays linked and
     * ignored by lookups, and the sweeper removes it later.
     */
    boolean removeClaimed(int entryIndex, int stripe) {
        final long base = entryBase(entryIndex);
        final int bucketOrig = bucketOf(hashOfEntry(base, DIR_ORIGINAL));
        final int bucketReply = bucketOf(hashOfEntry(base, DIR_REPLY));
        if (!tryLockBucket(bucketOrig)) {
            orphan(base);
            return false;
        }
        if (bucketReply != bucketOrig && !tryLockBucket(bucketReply)) {
            unlockBucket(bucketOrig);
            orphan(base);
            return false;
        }
        unlinkNode(bucketOrig, entryIndex << 1 | DIR_ORIGINAL);
        unlinkNode(bucketReply, entryIndex << 1 | DIR_REPLY);
        if (bucketReply != bucketOrig) {
            unlockBucket(bucketReply);
        }
        unlockBucket(bucketOrig);
        final long control = (long) LONG.getAcquire(segment, base + CONTROL);
        final int status = controlStatus(control);
        if ((statusFlags(status) & ConntrackFlags.SNAT) != 0 && snatPool != null) {
            snatPool.release(segment.get(ValueLayout.JAVA_LONG, base + REPLY_DST_HI),
                segment.get(ValueLayout.JAVA_LONG, base + REPLY_DST_LO), statusProto(status),
                destinationPort(segment.get(ValueLayout.JAVA_INT, base + REPLY_PORTS)));
        }
        // Odd again, status cleared: stale readers see a change; the next owner fills it in
        // under this value. A DYING entry's control word is written by its claimant only.
        LONG.setRelease(segment, base + CONTROL, advanceSeq(control, 0));
        pushFree(entryIndex);
        addCounter(stripe, ConntrackCounter.DELETES, 1);
        return true;
    }

    /** The claimant of a DYING entry gives it up; only the sweeper adopts ORPHANED entries. */
    private void orphan(long base) {
        final long control = (long) LONG.getAcquire(segment, base + CONTROL);
        LONG.setRelease(segment, base + CONTROL, control(controlSeqZone(control), withFlags(controlStatus(control), ConntrackFlags.ORPHANED)));
    }

    /** The sweeper takes over an orphaned DYING entry (clears ORPHANED); false if it is not one. */
    boolean adoptOrphan(int entryIndex) {
        final long base = entryBase(entryIndex);
        final long control = (long) LONG.getAcquire(segment, base + CONTROL);
        final int status = controlStatus(control);
        final int flags = statusFlags(status);
        if (seqOdd(control) || (flags & (ConntrackFlags.DYING | ConntrackFlags.ORPHANED)) != (ConntrackFlags.DYING | ConntrackFlags.ORPHANED)) {
            return false;
        }
        return LONG.compareAndSet(segment, base + CONTROL, control,
            control(controlSeqZone(control), status & ~(ConntrackFlags.ORPHANED << 16)));
    }

    /**
     * Sets DYING on the entry if its control word still has the seqlock value of
     * {@code seqZone} (same connection) and it is live and not already claimed. One
     * compareAndSet of the whole control word: a claim never lands on a reused entry.
     */
    boolean claimForRemoval(int entryIndex, int seqZone) {
        final long base = entryBase(entryIndex);
        while (true) {
            final long control = (long) LONG.getAcquire(segment, base + CONTROL);
            final int status = controlStatus(control);
            if (controlSeqZone(control) != seqZone
                || (statusFlags(status) & (ConntrackFlags.DYING | ConntrackFlags.CONFIRMED)) != ConntrackFlags.CONFIRMED) {
                return false;
            }
            if (LONG.compareAndSet(segment, base + CONTROL, control, control(seqZone, withFlags(status, ConntrackFlags.DYING)))) {
                return true;
            }
        }
    }

    /** Entries on the free list (walks it; quiescent tables only: tests and tools). */
    int freeCount() {
        int free = 0;
        int link = (int) (long) LONG.getAcquire(segment, (long) FREE_HEAD_OFFSET);
        while (link != 0 && free <= capacity) {
            free++;
            link = segment.get(ValueLayout.JAVA_INT, entryBase(link - 1) + NEXT_ORIG);
        }
        return free;
    }

    void addCounter(int stripe, ConntrackCounter counter, long delta) {
        final long offset = stripeOffset(stripe, counter);
        LONG.setRelease(segment, offset, segment.get(ValueLayout.JAVA_LONG, offset) + delta);
    }

    // ------------------------------------------------------------------ owner and flush mailbox

    void heartbeat(long unixMs) {
        LONG.setRelease(segment, (long) OWNER_HEARTBEAT_MS_OFFSET, unixMs);
    }

    long flushRequested() {
        return (long) LONG.getAcquire(segment, (long) FLUSH_REQUESTED_OFFSET);
    }

    long flushCompleted() {
        return (long) LONG.getAcquire(segment, (long) FLUSH_COMPLETED_OFFSET);
    }

    void completeFlush(long generation) {
        LONG.setRelease(segment, (long) FLUSH_COMPLETED_OFFSET, generation);
    }

    /** Unmaps. Only after every cursor and the sweeper have stopped; marks the table ownerless. */
    @Override
    public void close() {
        segment.set(ValueLayout.JAVA_LONG, OWNER_PID_OFFSET, 0L);
        LONG.setRelease(segment, (long) OWNER_HEARTBEAT_MS_OFFSET, 0L);
        if (arena != null) {
            arena.close();
        }
    }
}
