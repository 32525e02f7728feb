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
 * each found from two slots of an open-addressed index, one per direction (as Linux
 * nf_conntrack's two {@code tuplehash}es). A slot is an 8-bit tag of the key's hash (the 12
 * tags of a bucket side by side) and a ref word naming the node; a lookup reads one 64-byte
 * bucket, compares the tags two longs at a time, and touches only the entries whose tag
 * matches (about one).
 *
 * <p>Thread-safety: the owner process maps it read-write. Any number of worker threads, each
 * with its own {@link ConntrackCursor} (own counter stripe), insert and update concurrently;
 * exactly one {@link ConntrackSweeper} removes expired entries and serves flush requests;
 * {@link ConntrackFlusher} removes connections to a backend on request. Memory orders:
 * <ul>
 * <li>index slots: an inserter takes an empty slot with a compareAndSet of its ref word (0 to
 *     ref + 1), then writes its tag byte (release); a remover (the single claimant of a DYING
 *     entry) writes the tag byte back to 0, then empties the ref word with compareAndSet. Only
 *     the thread whose node the ref word names writes the tag byte, so the tag writes of one
 *     slot are ordered by the compareAndSets around them. Nobody waits and nothing is locked.
 *     Lookups read a bucket's tags plainly, {@link VarHandle#acquireFence()}, read the ref words
 *     of the matching slots and compare the key in the entry (a tag is only a hint). The overflow count of a bucket is raised
 *     (getAndAdd) before a node goes to a later bucket and lowered after it left it.</li>
 * <li>two inserters of the same key may both fill a slot; each then re-scans (after a full
 *     fence) and the one whose slot comes later in probe order removes its own entry: lookups
 *     return the first live match in probe order, so they agree with the winner.</li>
 * <li>only CONFIRMED entries (both nodes in the index) can be claimed for removal by anyone but
 *     their inserter.</li>
 * <li>entry key fields: written plainly while the seqlock is odd (free or being filled in),
 *     published by setRelease of the even value before the first slot names the entry; readers
 *     getAcquire the seqlock, read plainly, {@link VarHandle#loadLoadFence()}, re-read and
 *     skip the entry if it was odd or moved.</li>
 * <li>status word (state, flags): compareAndSet of the whole control word; counters:
 *     getAndAdd; last seen: setVolatile, then a compareAndSet setting TICK, which only the
 *     sweeper clears (see {@link ConntrackFlags#TICK}).</li>
 * <li>free list: a Treiber stack whose head carries an ABA stamp, compareAndSet; a free
 *     entry's link to the next free one is kept in its decision field.</li>
 * </ul>
 * Memory is never unmapped while the table is open; {@link #close()} must only be called
 * after every worker, the sweeper and the flusher have stopped.
 */
public final class ConntrackTable implements AutoCloseable {

    static final VarHandle INT = ValueLayout.JAVA_INT.varHandle();
    static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();
    static final VarHandle BYTE = ValueLayout.JAVA_BYTE.varHandle();

    /**
     * All of memory as one segment, for the per-packet paths: a static final segment lets the
     * JIT drop the bounds and liveness checks of the table's own (shared-arena) segment, which
     * addresses that depend on data never get hoisted. Only addresses inside the table's
     * mapping are read through it (entry indexes are checked against the capacity first); the
     * mapping outlives every cursor (see {@link #close()}).
     */
    static final MemorySegment MEMORY = MemorySegment.NULL.reinterpret(Long.MAX_VALUE);

    /** Attempts at filling a slot before an insert gives up (each failure means another thread progressed). */
    static final int LINK_ATTEMPTS = 64;

    private final Arena arena;
    final MemorySegment segment;
    /** Base address of the mapping (for {@link #MEMORY}). */
    final long address;
    final int capacity;
    final int bucketCount;
    /** Buckets after the home bucket that may hold overflow: MAX_OVERFLOW_BUCKETS, fewer for tiny tables. */
    final int overflowBuckets;
    final long indexAddress;
    final long entriesAddress;
    final long entriesOffset;
    final long hashSeed;
    final long epochUnixMs;
    final int[] timeoutsS;
    final SnatPortPool snatPool;
    private final java.nio.file.Path path;
    private final ConntrackFlusher flusher = new ConntrackFlusher(this);

    static {
        if (java.nio.ByteOrder.nativeOrder() != java.nio.ByteOrder.LITTLE_ENDIAN) {
            throw new ExceptionInInitializerError("the conntrack layout assumes a little-endian machine");
        }
    }

    private ConntrackTable(java.nio.file.Path path, Arena arena, MemorySegment segment, SnatPortPool snatPool) {
        this.path = path;
        this.arena = arena;
        this.segment = segment;
        this.address = segment.address();
        this.capacity = segment.get(ValueLayout.JAVA_INT, CAPACITY_OFFSET);
        this.bucketCount = segment.get(ValueLayout.JAVA_INT, BUCKET_COUNT_OFFSET);
        this.overflowBuckets = Math.min(MAX_OVERFLOW_BUCKETS, bucketCount - 1);
        this.entriesOffset = ConntrackDescriptor.entriesOffset(bucketCount);
        this.indexAddress = address + HEADER_BYTES;
        this.entriesAddress = address + entriesOffset;
        this.hashSeed = segment.get(ValueLayout.JAVA_LONG, HASH_SEED_OFFSET);
        this.epochUnixMs = segment.get(ValueLayout.JAVA_LONG, EPOCH_UNIX_MS_OFFSET);
        this.timeoutsS = new int[TIMEOUT_SLOTS];
        for (int i = 0; i < TIMEOUT_SLOTS; i++) {
            timeoutsS[i] = segment.get(ValueLayout.JAVA_INT, TIMEOUTS_OFFSET + 4L * i);
        }
        this.snatPool = snatPool;
    }

    private static final System.Logger LOG = System.getLogger(ConntrackTable.class.getName());

    /**
     * Creates a new, empty table file (replacing any file at that path). With a huge-page mount
     * in the config the file goes there and {@code config.path()} becomes a symbolic link to it
     * ({@link HugePageMount}); if huge pages are unavailable it is created at the path itself.
     * Either way one log line says where the table is and how much of it is on 2 MiB pages.
     */
    public static ConntrackTable create(ConntrackConfig config, SnatPortPool snatPool) throws IOException {
        final int capacity = config.capacityEntries();
        final int bucketCount = bucketCountFor(capacity);
        final long bytes = fileBytes(capacity, bucketCount);
        final String[] why = {"no huge-page mount configured"};
        final java.nio.file.Path hugeFile = config.hugePageMount() == null ? null
            : HugePageMount.prepare(config.hugePageMount(), config.path(), why);
        final java.nio.file.Path file = hugeFile != null ? hugeFile : config.path();
        Files.deleteIfExists(config.path());
        Files.deleteIfExists(file);
        final Arena arena = Arena.ofShared();
        final MemorySegment segment;
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW,
            StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            // tmpfs files are sparse: reserve every block now, so that a filesystem too small
            // for the table fails here with a clear message instead of SIGBUS on a later store.
            FileSpace.reserve(file, bytes);
            segment = channel.map(FileChannel.MapMode.READ_WRITE, 0, bytes, arena);
            HugePages.advise(segment);
        } catch (IOException | RuntimeException e) {
            arena.close();
            Files.deleteIfExists(file);
            throw new IOException("cannot create conntrack table " + file + ": " + e.getMessage(), e);
        }
        initialize(segment, capacity, bucketCount, config.timeouts());
        if (hugeFile != null) {
            try {
                Files.createSymbolicLink(config.path(), hugeFile);
            } catch (IOException | RuntimeException e) {
                arena.close();
                throw new IOException("cannot link conntrack table " + config.path() + " to " + hugeFile + ": " + e, e);
            }
        }
        logPlacement(config.path(), file, segment, hugeFile != null ? null : why[0], config.hugePageMount() != null);
        final ConntrackTable table = new ConntrackTable(config.path(), arena, segment, snatPool);
        table.claimOwnership();
        return table;
    }

    /** One line: where the table is, and how much of it the kernel maps with 2 MiB pages. */
    private static void logPlacement(java.nio.file.Path path, java.nio.file.Path file, MemorySegment segment, String noHugeMount,
                                     boolean hugePagesWanted) {
        final long hugeBytes = HugePages.mappedHugeBytes(segment);
        final String where = path.equals(file) ? path.toString() : path + " -> " + file;
        final String pages = "2 MiB pages: " + (hugeBytes < 0 ? "unknown" : hugeBytes / (1 << 20) + " MiB")
            + " of " + segment.byteSize() / (1 << 20) + " MiB, mapping at 0x" + Long.toHexString(segment.address());
        if (noHugeMount == null && hugeBytes > 0) {
            LOG.log(System.Logger.Level.INFO, "conntrack table " + where + " on a huge-page tmpfs; " + pages);
        } else {
            LOG.log(hugePagesWanted ? System.Logger.Level.WARNING : System.Logger.Level.INFO, "conntrack table " + where + " on 4 KiB pages ("
                + (noHugeMount != null ? noHugeMount : "the kernel gave no huge pages") + "); " + pages);
        }
    }

    /** Bytes of this table the kernel maps with huge pages in this process (from /proc/self/smaps), -1 if unknown. */
    public long hugePageBytes() {
        return HugePages.mappedHugeBytes(segment);
    }

    /**
     * A table in anonymous memory, not shared with other processes (tests, benchmarks). Its
     * memory is freed by the garbage collector; {@link #close()} only marks it ownerless.
     */
    public static ConntrackTable createInMemory(int capacity, ConntrackTimeouts timeouts, SnatPortPool snatPool) {
        new ConntrackConfig(ConntrackConfig.DEFAULT_PATH, capacity, timeouts); // validates
        final long bytes = fileBytes(capacity, bucketCountFor(capacity));
        final MemorySegment mapped = HugePages.allocate(bytes);
        final MemorySegment segment = mapped != null ? mapped : Arena.ofAuto().allocate(bytes, 64);
        initialize(segment, capacity, bucketCountFor(capacity), timeouts);
        final ConntrackTable table = new ConntrackTable(null, null, segment, snatPool);
        table.claimOwnership();
        return table;
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
            final long base = entries + windowOffset(i);
            segment.set(ValueLayout.JAVA_LONG, base + CONTROL, control(1, 0));
            segment.set(ValueLayout.JAVA_INT, base + FREE_NEXT, i + 1 < capacity ? i + 2 : 0);
        }
        segment.set(ValueLayout.JAVA_LONG, FREE_HEAD_OFFSET, 1L);
        LONG.setRelease(segment, (long) MAGIC_OFFSET, MAGIC);
    }

    /** A free entry's link to the next free entry (index + 1, 0 = end) lives in its decision field. */
    static final int FREE_NEXT = DECISION;

    /**
     * Opens the table an earlier owner left (a fast-path restart) and rebuilds what cannot be
     * trusted after a crash: the index, the free list and the SNAT port reservations are
     * recomputed from the live entries, whose state, decisions and counters are kept. Must run
     * before any worker starts; the previous owner must be gone (two owners would corrupt it).
     */
    public static ConntrackTable openAsOwner(ConntrackConfig config, SnatPortPool snatPool) throws IOException {
        final Arena arena = Arena.ofShared();
        final MemorySegment segment;
        try (FileChannel channel = FileChannel.open(config.path(), StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            segment = channel.map(FileChannel.MapMode.READ_WRITE, 0, channel.size(), arena);
            HugePages.advise(segment);
        } catch (IOException | RuntimeException e) {
            arena.close();
            throw new IOException("cannot open conntrack table " + config.path() + ": " + e.getMessage(), e);
        }
        final String problem = validate(segment);
        if (problem != null) {
            arena.close();
            throw new IOException("conntrack table " + config.path() + " " + problem);
        }
        final String owner = liveOtherOwner(segment);
        if (owner != null) {
            arena.close();
            throw new IOException("conntrack table " + config.path() + " is owned by " + owner
                + ": stop it first (two owners would corrupt the table)");
        }
        writeTimeouts(segment, config.timeouts());
        final ConntrackTable table = new ConntrackTable(config.path(), arena, segment, snatPool);
        table.rebuild();
        final java.nio.file.Path file = config.path().toRealPath();
        logPlacement(config.path(), file, segment, file.equals(config.path().toAbsolutePath())
            ? "an earlier table, created at the path itself" : null, config.hugePageMount() != null);
        table.claimOwnership();
        return table;
    }

    /** Opens the file if it is a valid table of this layout, else creates it. */
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
        final long magic = (long) LONG.getAcquire(segment, (long) MAGIC_OFFSET);
        if (magic == 0x3130544348545349L) {
            return "has layout version 1 (chained buckets), this program reads version " + VERSION + "; remove it to start afresh";
        }
        if (magic == MAGIC_VERSION_3) {
            return "has layout version 3 (index slots with 7-bit tags), this program reads version " + VERSION
                + "; remove it to start afresh";
        }
        if (magic == MAGIC_VERSION_2) {
            return "has layout version 2 (entries without the hot window), this program reads version " + VERSION
                + "; remove it to start afresh";
        }
        if (magic != MAGIC) {
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
        if (capacity < 1 || capacity > MAX_CAPACITY || buckets < 1) {
            return "has a bad size: capacity " + capacity + ", buckets " + buckets;
        }
        if (fileBytes(capacity, buckets) > segment.byteSize()) {
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

    /** Records this process as the owner: pid, its start time (as /proc gives it) and a heartbeat. */
    private void claimOwnership() {
        final ProcessHandle self = ProcessHandle.current();
        segment.set(ValueLayout.JAVA_LONG, OWNER_START_MS_OFFSET, processStartMs(self));
        segment.set(ValueLayout.JAVA_LONG, OWNER_PID_OFFSET, self.pid());
        // A mailbox lock left by a tool that died is of no use to anyone.
        LONG.setRelease(segment, (long) FLUSH_LOCK_PID_OFFSET, 0L);
        LONG.setRelease(segment, (long) OWNER_HEARTBEAT_MS_OFFSET, System.currentTimeMillis());
    }

    /** "pid N" if the recorded owner is another process that is still running (same start time), else null. */
    private static String liveOtherOwner(MemorySegment segment) {
        final long pid = segment.get(ValueLayout.JAVA_LONG, OWNER_PID_OFFSET);
        if (pid == 0 || pid == ProcessHandle.current().pid()) {
            return null;
        }
        final ProcessHandle process = ProcessHandle.of(pid).filter(ProcessHandle::isAlive).orElse(null);
        if (process == null) {
            return null;
        }
        final long recordedStartMs = segment.get(ValueLayout.JAVA_LONG, OWNER_START_MS_OFFSET);
        final long startMs = processStartMs(process);
        return recordedStartMs != 0 && startMs != 0 && startMs != recordedStartMs ? null : "running pid " + pid;
    }

    /** A process's start time in ms (from /proc on Linux), 0 if unknown. */
    public static long processStartMs(ProcessHandle process) {
        return process.info().startInstant().map(java.time.Instant::toEpochMilli).orElse(0L);
    }

    private void rebuild() {
        segment.asSlice(HEADER_BYTES, (long) BUCKET_BYTES * bucketCount).fill((byte) 0);
        int freeHead = 0;
        for (int i = capacity - 1; i >= 0; i--) {
            final long base = entryBase(i);
            final long control = segment.get(ValueLayout.JAVA_LONG, base + CONTROL);
            final int seq = controlSeq(control);
            final int status = controlStatus(control);
            final boolean live = (seq & 1) == 0
                && (statusFlags(status) & (ConntrackFlags.DYING | ConntrackFlags.CONFIRMED)) == ConntrackFlags.CONFIRMED;
            if (live && placeForRebuild(i)) {
                if ((statusFlags(status) & ConntrackFlags.SNAT) != 0 && snatPool != null) {
                    snatPool.markUsed(segment.get(ValueLayout.JAVA_LONG, base + coldOffset(i, COLD_REPLY_DST_HI)),
                        segment.get(ValueLayout.JAVA_LONG, base + REPLY_DST_LO), statusProto(status),
                        destinationPort(segment.get(ValueLayout.JAVA_INT, base + REPLY_PORTS)));
                }
            } else {
                segment.set(ValueLayout.JAVA_LONG, base + CONTROL, control(seq | 1, 0));
                segment.set(ValueLayout.JAVA_INT, base + FREE_NEXT, freeHead);
                freeHead = i + 1;
            }
        }
        final long stamp = (segment.get(ValueLayout.JAVA_LONG, FREE_HEAD_OFFSET) >>> 32) + 1;
        LONG.setRelease(segment, (long) FREE_HEAD_OFFSET, stamp << 32 | (freeHead & 0xFFFF_FFFFL));
    }

    /** Puts both nodes of live entry {@code i} in the index (single-threaded rebuild); false if there was no room. */
    private boolean placeForRebuild(int entryIndex) {
        final long hashOrig = hashOfEntry(entryIndex, DIR_ORIGINAL);
        if (!placeNode(bucketOf(hashOrig), tagOf(hashOrig), entryIndex << 1 | DIR_ORIGINAL)) {
            return false;
        }
        final long hashReply = hashOfEntry(entryIndex, DIR_REPLY);
        if (!placeNode(bucketOf(hashReply), tagOf(hashReply), entryIndex << 1 | DIR_REPLY)) {
            unlinkNode(hashOrig, entryIndex << 1 | DIR_ORIGINAL);
            return false;
        }
        return true;
    }

    /** Fills the first empty slot from {@code home} on (compareAndSet; no duplicate check). */
    boolean placeNode(int home, int tag, int ref) {
        for (int attempt = 0; attempt < LINK_ATTEMPTS; attempt++) {
            final long homeAddress = bucketAddress(home);
            final int free = emptySlot(homeAddress);
            if (free >= 0) {
                if (fillSlot(homeAddress, free, tag, ref)) {
                    return true;
                }
                continue;
            }
            INT.getAndAdd(MEMORY, homeAddress + OVERFLOW_OFFSET, 1);
            for (int d = 1; d <= overflowBuckets; d++) {
                final long bucket = bucketAddress(nextBucket(home, d));
                final int slot = emptySlot(bucket);
                if (slot >= 0) {
                    raiseReach(homeAddress, d);
                    if (fillSlot(bucket, slot, tag, ref)) {
                        return true;
                    }
                }
            }
            INT.getAndAdd(MEMORY, homeAddress + OVERFLOW_OFFSET, -1);
            return false;
        }
        return false;
    }

    /** The first empty slot (ref word 0) of the bucket at {@code bucketAddress}, or -1. */
    static int emptySlot(long bucketAddress) {
        for (int slot = 0; slot < SLOTS_PER_BUCKET; slot++) {
            if (MEMORY.get(ValueLayout.JAVA_INT, bucketAddress + refOffset(slot)) == 0) {
                return slot;
            }
        }
        return -1;
    }

    /**
     * Makes the reach of the home bucket at {@code homeAddress} at least {@code distance}, before
     * a node is placed that far from it (compareAndSet; the count beside it may change meanwhile).
     */
    static void raiseReach(long homeAddress, int distance) {
        final long word = homeAddress + OVERFLOW_OFFSET;
        while (true) {
            final int overflow = (int) INT.getVolatile(MEMORY, word);
            if (ConntrackDescriptor.overflowReach(overflow) >= distance
                || INT.compareAndSet(MEMORY, word, overflow, (overflow & ~(0xFF << OVERFLOW_REACH_SHIFT)) | distance << OVERFLOW_REACH_SHIFT)) {
                return;
            }
        }
    }

    /**
     * Takes empty slot {@code slot} of the bucket for node {@code ref}: compareAndSet of its ref
     * word from 0, then its tag byte (release; lookups see the node from then on). False if
     * another thread took the slot first.
     */
    static boolean fillSlot(long bucketAddress, int slot, int tag, int ref) {
        if (!INT.compareAndSet(MEMORY, bucketAddress + refOffset(slot), 0, slotWord(ref))) {
            return false;
        }
        BYTE.setRelease(MEMORY, bucketAddress + tagOffset(slot), (byte) tag);
        return true;
    }

    /**
     * Empties slot {@code slot} of the bucket if it names node {@code ref}: its tag byte back
     * to 0 first (lookups stop seeing the node; the byte is still ours), then the ref word by
     * compareAndSet, after which another inserter may take the slot and write its own tag.
     */
    static boolean clearSlot(long bucketAddress, int slot, int ref) {
        final long refAddress = bucketAddress + refOffset(slot);
        if ((int) INT.getAcquire(MEMORY, refAddress) != slotWord(ref)) {
            return false;
        }
        BYTE.setRelease(MEMORY, bucketAddress + tagOffset(slot), (byte) 0);
        return INT.compareAndSet(MEMORY, refAddress, slotWord(ref), 0);
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

    /** The owner's flush duty (filtered flushes, the header mailbox): one per table. */
    public ConntrackFlusher flusher() {
        return flusher;
    }

    /**
     * A worker's handle: stripe ids 0..{@value ConntrackDescriptor#FLUSHER_STRIPE}-1, one per
     * thread. Its batch lookups use the real prefetch once the table is large
     * ({@link ConntrackCursor.PrefetchMode#AUTO}).
     */
    public ConntrackCursor cursor(int workerStripe) {
        return cursor(workerStripe, ConntrackCursor.PrefetchMode.AUTO);
    }

    /**
     * A worker's handle as {@link #cursor(int)} with the batch lookup's real prefetch
     * ({@link io.isthmus.conntrack.memory.Prefetcher}) always or never, where the process has
     * one: for tests and side-by-side benchmarks of the two ways.
     */
    public ConntrackCursor cursor(int workerStripe, ConntrackCursor.PrefetchMode prefetch) {
        if (workerStripe < 0 || workerStripe >= FLUSHER_STRIPE) {
            throw new IllegalArgumentException("worker stripe must be 0.." + (FLUSHER_STRIPE - 1) + ", got " + workerStripe);
        }
        return new ConntrackCursor(this, workerStripe, prefetch);
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

    /**
     * Offset in {@link #segment} of an entry's window (its hot 64-byte line, see
     * {@link ConntrackDescriptor}): the base every field offset is taken from.
     */
    long entryBase(int entryIndex) {
        return entriesOffset + windowOffset(entryIndex);
    }

    /** Absolute address of an entry's window (for {@link #MEMORY}). */
    long entryAddress(int entryIndex) {
        return entriesAddress + windowOffset(entryIndex);
    }

    /** Absolute address of a bucket (for {@link #MEMORY}). */
    long bucketAddress(int bucket) {
        return indexAddress + (long) BUCKET_BYTES * bucket;
    }

    /** The bucket at an address from {@link #bucketAddress}. */
    int bucketIndex(long bucketAddress) {
        return (int) ((bucketAddress - indexAddress) / BUCKET_BYTES);
    }

    int nextBucket(int home, int distance) {
        final int bucket = home + distance;
        return bucket >= bucketCount ? bucket - bucketCount : bucket;
    }

    /** Lemire's multiply-shift range reduction of the hash's high half: any bucket count, no modulo. */
    int bucketOf(long hash) {
        return (int) (((hash >>> 32) * bucketCount) >>> 32);
    }

    /**
     * Eight bits of the hash's low half, never used to pick the bucket, and never 0 (0 becomes
     * 1): an empty slot's tag byte (0) then never matches, so a bucket's tag matches are found
     * with no test of whether a slot is in use (see {@link ConntrackCursor#tagMatches}).
     */
    static int tagOf(long hash) {
        final int bits = (int) hash >>> (32 - TAG_BITS);
        return bits | (bits - 1) >>> 31;
    }

    long hash(long srcHi, long srcLo, long dstHi, long dstLo, int ports, int proto, int zone) {
        return hashNarrow(srcLo, dstLo, (ports & 0xFFFF_FFFFL) | (long) (proto & 0xFF) << 32 | (long) (zone & 0xFF) << 40,
            (srcHi ^ Long.rotateLeft(dstHi, 29)) * 0x1656_67B1_9E37_79F9L);
    }

    /**
     * {@link #hash} of a key whose high address words are both 0 (IPv4: that term is 0), with
     * ports, protocol and zone packed as {@code ports | proto << 32 | zone << 40}.
     */
    long hashNarrow(long srcLo, long dstLo, long portsProtoZone) {
        return hashNarrow(srcLo, dstLo, portsProtoZone, 0L);
    }

    private long hashNarrow(long srcLo, long dstLo, long portsProtoZone, long highWords) {
        long h = hashSeed ^ srcLo * 0x9E37_79B9_7F4A_7C15L;
        h ^= Long.rotateLeft(dstLo * 0xC2B2_AE3D_27D4_EB4FL, 23);
        h ^= highWords;
        h ^= portsProtoZone * 0x94D0_49BB_1331_11EBL;
        h ^= h >>> 31;
        h *= 0xBF58_476D_1CE4_E5B9L;
        return h ^ h >>> 29;
    }

    long hashOfEntry(int entryIndex, int dir) {
        final long base = entryBase(entryIndex);
        final long a = base + dir * (long) REPLY_ADDRESS_DELTA;
        final int c = dir * REPLY_COLD_DELTA;
        final int status = segment.get(ValueLayout.JAVA_INT, base + STATUS);
        return hash(segment.get(ValueLayout.JAVA_LONG, base + coldOffset(entryIndex, COLD_ORIG_SRC_HI + c)),
            segment.get(ValueLayout.JAVA_LONG, a + ORIG_SRC_LO),
            segment.get(ValueLayout.JAVA_LONG, base + coldOffset(entryIndex, COLD_ORIG_DST_HI + c)),
            segment.get(ValueLayout.JAVA_LONG, a + ORIG_DST_LO),
            segment.get(ValueLayout.JAVA_INT, base + ORIG_PORTS + dir * (long) REPLY_PORTS_DELTA),
            statusProto(status), statusZone(status));
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
            final int next = segment.get(ValueLayout.JAVA_INT, entryBase(index) + FREE_NEXT);
            final long newHead = ((head >>> 32) + 1) << 32 | (next & 0xFFFF_FFFFL);
            if (LONG.compareAndSet(segment, (long) FREE_HEAD_OFFSET, head, newHead)) {
                return index;
            }
        }
    }

    /** Returns an entry that no slot names any more to the free list; its seqlock must already be odd. */
    void pushFree(int entryIndex) {
        final long base = entryBase(entryIndex);
        while (true) {
            final long head = (long) LONG.getAcquire(segment, (long) FREE_HEAD_OFFSET);
            segment.set(ValueLayout.JAVA_INT, base + FREE_NEXT, (int) head);
            final long newHead = ((head >>> 32) + 1) << 32 | ((entryIndex + 1) & 0xFFFF_FFFFL);
            if (LONG.compareAndSet(segment, (long) FREE_HEAD_OFFSET, head, newHead)) {
                return;
            }
        }
    }

    // ------------------------------------------------------------------ removal

    /**
     * Empties the slot that holds node {@code ref} (hash {@code hash}); false if no slot does
     * (a node that was never placed). Only the claimant of the entry calls this, so the slot
     * cannot change under it except by this compareAndSet.
     */
    boolean unlinkNode(long hash, int ref) {
        final int home = bucketOf(hash);
        final long homeAddress = bucketAddress(home);
        for (int slot = 0; slot < SLOTS_PER_BUCKET; slot++) {
            if (clearSlot(homeAddress, slot, ref)) {
                return true;
            }
        }
        for (int d = 1; d <= overflowBuckets; d++) {
            final long bucket = bucketAddress(nextBucket(home, d));
            for (int slot = 0; slot < SLOTS_PER_BUCKET; slot++) {
                if (clearSlot(bucket, slot, ref)) {
                    INT.getAndAdd(MEMORY, homeAddress + OVERFLOW_OFFSET, -1);
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * Takes both nodes of a connection whose DYING flag the caller set out of the index (the
     * caller owns it: nobody else writes a DYING entry's control word), releases its SNAT port
     * and frees the entry. Never waits; always succeeds (returns true).
     */
    boolean removeClaimed(int entryIndex, int stripe) {
        final long base = entryBase(entryIndex);
        unlinkNode(hashOfEntry(entryIndex, DIR_ORIGINAL), entryIndex << 1 | DIR_ORIGINAL);
        unlinkNode(hashOfEntry(entryIndex, DIR_REPLY), entryIndex << 1 | DIR_REPLY);
        final long control = (long) LONG.getAcquire(segment, base + CONTROL);
        final int status = controlStatus(control);
        if ((statusFlags(status) & ConntrackFlags.SNAT) != 0 && snatPool != null) {
            snatPool.release(segment.get(ValueLayout.JAVA_LONG, base + coldOffset(entryIndex, COLD_REPLY_DST_HI)),
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

    /**
     * Sets DYING on the entry if its control word still has seqlock {@code seq} (same
     * connection) and it is live and not already claimed. One compareAndSet of the whole control
     * word: a claim never lands on a reused entry.
     */
    boolean claimForRemoval(int entryIndex, int seq) {
        final long base = entryBase(entryIndex);
        while (true) {
            final long control = (long) LONG.getAcquire(segment, base + CONTROL);
            final int status = controlStatus(control);
            if (controlSeq(control) != seq
                || (statusFlags(status) & (ConntrackFlags.DYING | ConntrackFlags.CONFIRMED)) != ConntrackFlags.CONFIRMED) {
                return false;
            }
            if (LONG.compareAndSet(segment, base + CONTROL, control, control(seq, withFlags(status, ConntrackFlags.DYING)))) {
                return true;
            }
        }
    }

    /** Claims the entry only if its control word is still exactly {@code expected} (the sweeper's expiry claim). */
    boolean claimIfUnchanged(int entryIndex, long expected) {
        return LONG.compareAndSet(segment, entryBase(entryIndex) + CONTROL, expected,
            control(controlSeq(expected), withFlags(controlStatus(expected), ConntrackFlags.DYING)));
    }

    /** Entries on the free list (walks it; quiescent tables only: tests and tools). */
    int freeCount() {
        int free = 0;
        int link = (int) (long) LONG.getAcquire(segment, (long) FREE_HEAD_OFFSET);
        while (link != 0 && free <= capacity) {
            free++;
            link = segment.get(ValueLayout.JAVA_INT, entryBase(link - 1) + FREE_NEXT);
        }
        return free;
    }

    /** The ref word of slot {@code slot} of bucket {@code bucket} (tests and tools). */
    int slotValue(int bucket, int slot) {
        return (int) INT.getAcquire(MEMORY, bucketAddress(bucket) + refOffset(slot));
    }

    /** The tag byte of slot {@code slot} of bucket {@code bucket} (tests and tools). */
    int slotTag(int bucket, int slot) {
        return (byte) BYTE.getAcquire(MEMORY, bucketAddress(bucket) + tagOffset(slot)) & 0xFF;
    }

    /** The overflow count of bucket {@code bucket} (tests and tools). */
    int overflowCount(int bucket) {
        return ConntrackDescriptor.overflowCount((int) INT.getAcquire(MEMORY, bucketAddress(bucket) + OVERFLOW_OFFSET));
    }

    /** The overflow reach of bucket {@code bucket} (tests and tools). */
    int overflowReach(int bucket) {
        return ConntrackDescriptor.overflowReach((int) INT.getAcquire(MEMORY, bucketAddress(bucket) + OVERFLOW_OFFSET));
    }

    /**
     * Quiescent check of the index (tests and tools; no writer may run): every slot names a
     * live or dying entry, once; every such entry has both nodes in the index, each reachable
     * from its home bucket; overflow counts are exact; entries + free list = capacity. Null if
     * all hold, else the first problem.
     */
    String checkIndex() {
        final boolean[] seen = new boolean[2 * capacity];
        final int[] overflow = new int[bucketCount];
        int nodes = 0;
        for (int bucket = 0; bucket < bucketCount; bucket++) {
            for (int slot = 0; slot < SLOTS_PER_BUCKET; slot++) {
                final int value = slotValue(bucket, slot);
                if (value == 0) {
                    if (slotTag(bucket, slot) != 0) {
                        return "bucket " + bucket + " slot " + slot + " is empty but has tag " + slotTag(bucket, slot);
                    }
                    continue;
                }
                final int ref = slotRef(value);
                if (ref >>> 1 >= capacity) {
                    return "bucket " + bucket + " slot " + slot + " names entry " + (ref >>> 1) + " beyond the capacity";
                }
                final long base = entryBase(ref >>> 1);
                final long control = segment.get(ValueLayout.JAVA_LONG, base + CONTROL);
                if (seqOdd(control) || controlStatus(control) == 0) {
                    return "bucket " + bucket + " slot " + slot + " names free entry " + (ref >>> 1);
                }
                if (seen[ref]) {
                    return "node " + ref + " is in the index twice";
                }
                seen[ref] = true;
                nodes++;
                final long hash = hashOfEntry(ref >>> 1, ref & 1);
                if (tagOf(hash) != slotTag(bucket, slot)) {
                    return "node " + ref + " has tag " + slotTag(bucket, slot) + ", its key hashes to " + tagOf(hash);
                }
                final int home = bucketOf(hash);
                final int distance = bucket >= home ? bucket - home : bucket + bucketCount - home;
                if (distance > overflowBuckets) {
                    return "node " + ref + " is " + distance + " buckets from its home " + home;
                }
                if (distance > 0) {
                    overflow[home]++;
                    if (distance > overflowReach(home)) {
                        return "node " + ref + " is " + distance + " buckets from its home " + home + ", whose reach is "
                            + overflowReach(home);
                    }
                }
            }
        }
        for (int bucket = 0; bucket < bucketCount; bucket++) {
            if (overflow[bucket] != overflowCount(bucket)) {
                return "bucket " + bucket + " counts " + overflowCount(bucket) + " overflow nodes, has " + overflow[bucket];
            }
        }
        int entries = 0;
        for (int i = 0; i < capacity; i++) {
            final long control = segment.get(ValueLayout.JAVA_LONG, entryBase(i) + CONTROL);
            if (!seqOdd(control)) {
                entries++;
                if (!seen[i << 1] || !seen[i << 1 | 1]) {
                    return "entry " + i + " is not in the index by both tuples";
                }
            }
        }
        if (nodes != 2 * entries) {
            return nodes + " nodes for " + entries + " entries";
        }
        if (entries + freeCount() != capacity) {
            return entries + " entries + " + freeCount() + " free != capacity " + capacity;
        }
        return null;
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

    /** The filter of the pending request (read after {@link #flushRequested()}'s acquire). */
    ConntrackFlushFilter flushFilter() {
        return ConntrackFlushFilter.read(segment);
    }

    /** Publishes the result of a request: the count first, then the acknowledgement (release). */
    void completeFlush(long generation, long removed) {
        LONG.setRelease(segment, (long) FLUSH_REMOVED_OFFSET, removed);
        LONG.setRelease(segment, (long) FLUSH_COMPLETED_OFFSET, generation);
    }

    /** Unmaps. Only after every cursor, the sweeper and the flusher have stopped; marks the table ownerless. */
    @Override
    public void close() {
        segment.set(ValueLayout.JAVA_LONG, OWNER_PID_OFFSET, 0L);
        LONG.setRelease(segment, (long) OWNER_HEARTBEAT_MS_OFFSET, 0L);
        if (arena != null) {
            arena.close();
        }
    }
}
