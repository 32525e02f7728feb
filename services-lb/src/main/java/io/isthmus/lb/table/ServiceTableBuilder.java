package io.isthmus.lb.table;

import static io.isthmus.lb.table.ServiceTableDescriptor.AFFINITY_TIMEOUT_SECONDS;
import static io.isthmus.lb.table.ServiceTableDescriptor.BACKEND_ADDRESS_HI;
import static io.isthmus.lb.table.ServiceTableDescriptor.BACKEND_ADDRESS_LO;
import static io.isthmus.lb.table.ServiceTableDescriptor.BACKEND_BASE;
import static io.isthmus.lb.table.ServiceTableDescriptor.BACKEND_BYTES;
import static io.isthmus.lb.table.ServiceTableDescriptor.BACKEND_FLAGS;
import static io.isthmus.lb.table.ServiceTableDescriptor.BACKEND_ID;
import static io.isthmus.lb.table.ServiceTableDescriptor.BACKEND_PORT;
import static io.isthmus.lb.table.ServiceTableDescriptor.BUCKET_BYTES;
import static io.isthmus.lb.table.ServiceTableDescriptor.CLUSTER_COUNT;
import static io.isthmus.lb.table.ServiceTableDescriptor.CLUSTER_FIRST_SLOT;
import static io.isthmus.lb.table.ServiceTableDescriptor.COMPACT_BACKEND_IPV4;
import static io.isthmus.lb.table.ServiceTableDescriptor.COMPACT_BACKEND_PORT;
import static io.isthmus.lb.table.ServiceTableDescriptor.COMPACT_MAGLEV;
import static io.isthmus.lb.table.ServiceTableDescriptor.COMPACT_MAX_BACKENDS;
import static io.isthmus.lb.table.ServiceTableDescriptor.COMPACT_SERVICE_PORT_ID;
import static io.isthmus.lb.table.ServiceTableDescriptor.COMPACT_SIZE_M;
import static io.isthmus.lb.table.ServiceTableDescriptor.FLAGS_NOT_COMPACT;
import static io.isthmus.lb.table.ServiceTableDescriptor.FLAG_COMPACT;
import static io.isthmus.lb.table.ServiceTableDescriptor.ADDRESS_HI;
import static io.isthmus.lb.table.ServiceTableDescriptor.ADDRESS_LO;
import static io.isthmus.lb.table.ServiceTableDescriptor.FLAGS;
import static io.isthmus.lb.table.ServiceTableDescriptor.KEY_TAG;
import static io.isthmus.lb.table.ServiceTableDescriptor.LOCAL_COUNT;
import static io.isthmus.lb.table.ServiceTableDescriptor.MAGLEV_BLOCK;
import static io.isthmus.lb.table.ServiceTableDescriptor.MAGLEV_ENTRY_WIDTH_LOG2;
import static io.isthmus.lb.table.ServiceTableDescriptor.MAGLEV_SIZE_M;
import static io.isthmus.lb.table.ServiceTableDescriptor.FLAG_PAIRED;
import static io.isthmus.lb.table.ServiceTableDescriptor.PAIRED_BACKEND_PORT;
import static io.isthmus.lb.table.ServiceTableDescriptor.PAIRED_BUCKET_ENTRIES;
import static io.isthmus.lb.table.ServiceTableDescriptor.PAIRED_LINE_AND_M;
import static io.isthmus.lb.table.ServiceTableDescriptor.PAIRED_LINE_BACKEND_0;
import static io.isthmus.lb.table.ServiceTableDescriptor.PAIRED_MAGLEV;
import static io.isthmus.lb.table.ServiceTableDescriptor.PAIRED_MAX_BACKENDS;
import static io.isthmus.lb.table.ServiceTableDescriptor.PAIRED_MAX_SIZE_M;
import static io.isthmus.lb.table.ServiceTableDescriptor.RANGE_LONGS;
import static io.isthmus.lb.table.ServiceTableDescriptor.SERVICE_PORT_ID;
import static io.isthmus.lb.table.ServiceTableDescriptor.SOURCE_RANGE_BLOCK;

import io.isthmus.lb.ip.IpCidr;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Assembles one {@link ServiceTable} generation. Used by the compiler only.
 *
 * <p>Thread-safety: none; one slow-path thread builds, then publishes the immutable table.
 */
public final class ServiceTableBuilder {

    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED;
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED;

    private final long generation;
    /** Where the staging arrays come from and go back to (see {@link StagingBuffers}). */
    private final StagingBuffers staging;
    /** Backend records as they will be laid out in the region (native byte order). */
    private byte[] backends;
    private int backendBytesUsed;
    /** Packed Maglev blocks as they will be laid out in the region. */
    private byte[] maglev;
    private int maglevBytesUsed;
    private long[] ranges = new long[64];
    private int rangesUsed;
    private final List<FrontendKey> keys;
    private final List<FrontendSpec> specs;
    private final Set<FrontendKey> keySet;
    /** M and entry width of each added frontend's Maglev block (0 without one), parallel to {@code specs}. */
    private int[] sizeMs;
    private int[] widthLog2s;
    /** Maglev block offsets in the order appended (so ascending), their M and entry width: a binary search, no boxing. */
    private int[] blockStarts = new int[64];
    private int[] blockSizes = new int[64];
    private int[] blockWidths = new int[64];
    private int blocks;
    /** Blocks already stored, by content: an identical block (say, every 1-backend Service's) is stored once. */
    private final Map<MaglevBlock, Integer> storedBlocks = new HashMap<>();
    private final Map<List<BackendSlot>, Integer> backendBases = new IdentityHashMap<>();
    /** Whether eligible frontends get a compact bucket (on unless a test or benchmark compares). */
    private boolean compactFrontends = true;

    public ServiceTableBuilder(long generation) {
        this(generation, 16, 1024, 1024);
    }

    /**
     * A builder sized for what will be added (an assembly from compiled pieces knows it), so that
     * its staging arrays are allocated once.
     *
     * @param frontends    frontends expected
     * @param backendSlots backend slots expected (over all distinct backend lists)
     * @param maglevBytes  Maglev bytes expected ({@link MaglevBlock#byteCount()} of every block)
     */
    public ServiceTableBuilder(long generation, int frontends, int backendSlots, int maglevBytes) {
        this(generation, frontends, backendSlots, maglevBytes, new StagingBuffers());
    }

    /**
     * A sized builder that stages into {@code staging} (kept by the caller from one generation to
     * the next, grown here when too small and handed back by {@link #build()}), so that a
     * generation allocates no staging arrays of its own.
     */
    public ServiceTableBuilder(long generation, int frontends, int backendSlots, int maglevBytes, StagingBuffers staging) {
        this.generation = generation;
        this.staging = staging;
        this.keys = new ArrayList<>(frontends);
        this.specs = new ArrayList<>(frontends);
        this.keySet = HashSet.newHashSet(frontends);
        int specSlots = Math.max(16, frontends);
        this.sizeMs = staging.sizeMs.length >= specSlots ? staging.sizeMs : new int[specSlots];
        this.widthLog2s = staging.widthLog2s.length >= specSlots ? staging.widthLog2s : new int[specSlots];
        int backendBytes = Math.max(BACKEND_BYTES, backendSlots * BACKEND_BYTES);
        this.backends = staging.backends.length >= backendBytes ? staging.backends : new byte[backendBytes];
        int maglevNeed = Math.max(1, maglevBytes);
        this.maglev = staging.maglev.length >= maglevNeed ? staging.maglev : new byte[maglevNeed];
    }

    /**
     * Whether frontends that qualify get a compact bucket holding their whole decision, or a
     * paired bucket holding it with one backend line ({@link ServiceTableDescriptor}, "compact
     * bucket", "paired bucket"); on by default. Off gives the same decisions from the three-line
     * layout (for comparisons).
     */
    public ServiceTableBuilder compactFrontends(boolean enabled) {
        this.compactFrontends = enabled;
        return this;
    }

    /**
     * A Maglev block checked once (every entry a backend slot number) and packed as the table
     * stores it, so that assembling a generation from compiled pieces is a plain array copy.
     * Equal blocks (same M, width and entries) make the same decisions, whichever Service owns them.
     * Immutable; any thread.
     */
    public static final class MaglevBlock {
        private final byte[] packed;
        private final int sizeM;
        private final int widthLog2;
        private final int hash;

        private MaglevBlock(byte[] packed, int sizeM, int widthLog2) {
            this.packed = packed;
            this.sizeM = sizeM;
            this.widthLog2 = widthLog2;
            this.hash = Arrays.hashCode(packed) * 31 + sizeM * 7 + widthLog2;
        }

        /** Bytes the block takes in the table. */
        public int byteCount() {
            return packed.length;
        }

        /** log2 of the entry width in bits (1: 2 bits ... 4: 16 bits). */
        public int entryWidthLog2() {
            return widthLog2;
        }

        /** Entry {@code index} as a backend slot number (cluster entries 0..M-1, then local ones). */
        public int slotAt(int index) {
            int local = index >= sizeM ? 1 : 0;
            return 1 + PackedMaglev.get(packed, local * PackedMaglev.bytesFor(sizeM, widthLog2), index - local * sizeM, widthLog2);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof MaglevBlock b && b.sizeM == sizeM && b.widthLog2 == widthLog2 && Arrays.equals(b.packed, packed);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }

    /**
     * Checks and packs a Maglev block: the cluster entries, then the local entries if given
     * (backend slot numbers, 1-based; M is the length of the cluster entries).
     */
    public static MaglevBlock maglevBlock(int[] clusterEntries, int[] localEntries) {
        int sizeM = clusterEntries.length;
        if (localEntries != null && localEntries.length != sizeM) {
            throw new IllegalArgumentException("local Maglev entries must have M = " + sizeM + " elements");
        }
        int largest = Math.max(largestSlot(clusterEntries), localEntries == null ? 1 : largestSlot(localEntries));
        int widthLog2 = PackedMaglev.widthLog2For(largest - 1);
        int half = PackedMaglev.bytesFor(sizeM, widthLog2);
        byte[] packed = new byte[localEntries == null ? half : 2 * half];
        for (int i = 0; i < sizeM; i++) {
            PackedMaglev.put(packed, 0, i, widthLog2, clusterEntries[i] - 1);
        }
        if (localEntries != null) {
            for (int i = 0; i < sizeM; i++) {
                PackedMaglev.put(packed, half, i, widthLog2, localEntries[i] - 1);
            }
        }
        return new MaglevBlock(packed, sizeM, widthLog2);
    }

    private static int largestSlot(int[] slots) {
        int largest = 1;
        for (int slot : slots) {
            if (slot < 1 || slot > ServiceTableDescriptor.MAX_BACKEND_SLOTS) {
                throw new IllegalArgumentException("Maglev entry " + slot + " is no backend slot 1.." + ServiceTableDescriptor.MAX_BACKEND_SLOTS);
            }
            largest = Math.max(largest, slot);
        }
        return largest;
    }

    /**
     * Appends a checked Maglev block (an array copy), or finds an identical one already stored.
     *
     * @return the block offset for {@link FrontendSpec#maglevBlock()}
     */
    public int addMaglevBlock(MaglevBlock block) {
        Integer stored = storedBlocks.get(block);
        if (stored != null) {
            return stored;
        }
        int need = block.packed.length;
        if (maglev.length < maglevBytesUsed + need) {
            maglev = Arrays.copyOf(maglev, Math.max(maglev.length * 2, maglevBytesUsed + need));
        }
        int offset = maglevBytesUsed;
        System.arraycopy(block.packed, 0, maglev, offset, need);
        maglevBytesUsed += need;
        if (blocks == blockStarts.length) {
            blockStarts = Arrays.copyOf(blockStarts, blocks * 2);
            blockSizes = Arrays.copyOf(blockSizes, blocks * 2);
            blockWidths = Arrays.copyOf(blockWidths, blocks * 2);
        }
        blockStarts[blocks] = offset;
        blockSizes[blocks] = block.sizeM;
        blockWidths[blocks] = block.widthLog2;
        blocks++;
        storedBlocks.put(block, offset);
        return offset;
    }

    /** Position in the block arrays of the block at {@code offset}, or -1 when no block starts there. */
    private int blockAt(int offset) {
        if (blocks > 0 && blockStarts[blocks - 1] == offset) {
            return blocks - 1; // the usual case: a port's frontends follow its block
        }
        int i = Arrays.binarySearch(blockStarts, 0, blocks, offset);
        return i < 0 ? -1 : i;
    }

    /**
     * Appends a Maglev block: the cluster entries, then the local entries if given. Entries are
     * backend slot numbers (1-based) of the frontends that will share the block; M is the length
     * of the cluster entries.
     *
     * @return the block offset for {@link FrontendSpec#maglevBlock()}
     */
    public int addMaglevBlock(int[] clusterEntries, int[] localEntries) {
        return addMaglevBlock(maglevBlock(clusterEntries, localEntries));
    }

    /** Appends a source-range block (an empty one admits no source). @return its offset */
    public int addSourceRanges(List<IpCidr> cidrs) {
        int need = 1 + cidrs.size() * RANGE_LONGS;
        if (ranges.length < rangesUsed + need) {
            ranges = Arrays.copyOf(ranges, Math.max(ranges.length * 2, rangesUsed + need));
        }
        int block = rangesUsed;
        ranges[block] = cidrs.size();
        int at = block + 1;
        for (IpCidr c : cidrs) {
            ranges[at] = c.network().hi();
            ranges[at + 1] = c.network().lo();
            ranges[at + 2] = c.maskHi();
            ranges[at + 3] = c.maskLo();
            at += RANGE_LONGS;
        }
        rangesUsed += need;
        return block;
    }

    /** @return false (and adds nothing) when another frontend already has this key */
    public boolean addFrontend(FrontendKey key, FrontendSpec spec) {
        int block = spec.maglevBlock() < 0 ? -1 : blockAt(spec.maglevBlock());
        if (spec.maglevBlock() >= 0 && block < 0) {
            throw new IllegalArgumentException("frontend " + key + ": no Maglev block at " + spec.maglevBlock());
        }
        if (!keySet.add(key)) {
            return false;
        }
        if (!spec.backends().isEmpty() && !backendBases.containsKey(spec.backends())) {
            backendBases.put(spec.backends(), appendBackends(spec.backends()));
        }
        keys.add(key);
        specs.add(spec);
        if (sizeMs.length < specs.size()) {
            sizeMs = Arrays.copyOf(sizeMs, Math.max(16, sizeMs.length * 2));
            widthLog2s = Arrays.copyOf(widthLog2s, sizeMs.length);
        }
        sizeMs[specs.size() - 1] = block < 0 ? 0 : blockSizes[block];
        widthLog2s[specs.size() - 1] = block < 0 ? 0 : blockWidths[block];
        return true;
    }

    /** Stages the records of a backend list; returns the byte offset of slot 1 within the backend records. */
    private int appendBackends(List<BackendSlot> slots) {
        int need = backendBytesUsed + slots.size() * BACKEND_BYTES;
        if (backends.length < need) {
            backends = Arrays.copyOf(backends, Math.max(backends.length * 2, need));
        }
        MemorySegment staged = MemorySegment.ofArray(backends);
        int base = backendBytesUsed;
        for (int i = 0; i < slots.size(); i++) {
            BackendSlot b = slots.get(i);
            long at = base + (long) i * BACKEND_BYTES;
            staged.set(LONG, at + BACKEND_ADDRESS_HI, b.address().hi());
            staged.set(LONG, at + BACKEND_ADDRESS_LO, b.address().lo());
            staged.set(INT, at + BACKEND_PORT, b.port());
            staged.set(INT, at + BACKEND_FLAGS, b.flags());
            staged.set(INT, at + BACKEND_ID, b.backendId());
        }
        backendBytesUsed = need;
        return base;
    }

    /** What a backend line depends on: frontends with the same key share one line. */
    private record LineKey(int backendBase, int clusterFirstSlot, int clusterCount, int maglevBlock) {
    }

    /**
     * Lays the region out (buckets, backend lines of paired buckets, backend records, Maglev
     * blocks, cold records of compact and paired frontends), fills the buckets and hands it to a
     * new table.
     *
     * @throws IllegalStateException when the region would exceed 2 GiB (the bucket offsets are ints)
     */
    public ServiceTable build() {
        int n = keys.size();
        long[] keyHi = new long[n];
        long[] keyLo = new long[n];
        int[] keyTags = new int[n];
        for (int i = 0; i < n; i++) {
            FrontendKey k = keys.get(i);
            keyHi[i] = k.address().hi();
            keyLo[i] = k.address().lo();
            keyTags[i] = ServiceTableDescriptor.keyTag(k.port(), k.protocol().ipProtocolNumber());
        }
        FrontendIndex.Placement placement = FrontendIndex.place(keyHi, keyLo, keyTags, n);
        int capacity = placement.capacityBuckets();
        // 0: three lines, 1: compact (one line), 2: paired (two lines)
        byte[] form = new byte[n];
        int coldCount = 0;
        Map<LineKey, Integer> lineIndex = new HashMap<>();
        int[] lineOf = new int[n];
        for (int i = 0; i < n; i++) {
            FrontendSpec spec = specs.get(i);
            if (compactFrontends && fitsCompactBucket(spec, sizeMs[i], widthLog2s[i])) {
                form[i] = 1;
            } else if (compactFrontends && fitsPairedBucket(spec, sizeMs[i], widthLog2s[i])) {
                form[i] = 2;
                LineKey key = new LineKey(backendBases.get(spec.backends()), spec.clusterFirstSlot(), spec.clusterCount(), spec.maglevBlock());
                Integer line = lineIndex.putIfAbsent(key, lineIndex.size());
                lineOf[i] = line == null ? lineIndex.size() - 1 : line;
            }
            coldCount += form[i] != 0 ? 1 : 0;
        }
        long linesStart = (long) capacity * BUCKET_BYTES;
        long backendStart = linesStart + (long) lineIndex.size() * BUCKET_BYTES;
        long maglevStart = backendStart + backendBytesUsed;
        long coldStart = (maglevStart + maglevBytesUsed + ServiceTableDescriptor.REGION_PAD_BYTES + BUCKET_BYTES - 1) & -BUCKET_BYTES;
        long regionBytes = coldStart + (long) coldCount * BUCKET_BYTES;
        if (regionBytes > Integer.MAX_VALUE || backendStart > 1L << 30) {
            throw new IllegalStateException("service table of " + n + " frontends would take " + regionBytes
                    + " bytes; at most 2 GiB (Maglev blocks " + maglevBytesUsed + " bytes), backend lines in the first GiB");
        }
        TableMemory.Region region = TableMemory.allocate(regionBytes);
        MemorySegment m = region.segment();
        MemorySegment.copy(MemorySegment.ofArray(backends), 0, m, backendStart, backendBytesUsed);
        MemorySegment.copy(MemorySegment.ofArray(maglev), 0, m, maglevStart, maglevBytesUsed);
        FrontendIndex index = new FrontendIndex(m, placement);
        int[] ids = new int[n];
        int[] records = new int[capacity];
        boolean[] lineWritten = new boolean[lineIndex.size()];
        long cold = coldStart;
        for (int i = 0; i < n; i++) {
            FrontendKey k = keys.get(i);
            FrontendSpec spec = specs.get(i);
            int tag = keyTags[i];
            int id = placement.bucketOf(i);
            index.write(id, keyHi[i], keyLo[i], tag);
            ids[i] = id;
            long at = (long) id * BUCKET_BYTES;
            long record = at;
            if (form[i] != 0) {
                record = cold;
                cold += BUCKET_BYTES;
                m.set(ValueLayout.JAVA_LONG, record + ADDRESS_HI, k.address().hi());
                m.set(ValueLayout.JAVA_LONG, record + ADDRESS_LO, k.address().lo());
                m.set(ValueLayout.JAVA_INT, record + KEY_TAG, tag);
                if (form[i] == 1) {
                    writeCompactBucket(m, at, spec, sizeMs[i], widthLog2s[i]);
                } else {
                    long line = linesStart + (long) lineOf[i] * BUCKET_BYTES;
                    writePairedBucket(m, at, line, spec, sizeMs[i], widthLog2s[i]);
                    if (!lineWritten[lineOf[i]]) {
                        lineWritten[lineOf[i]] = true;
                        writeBackendLine(m, line, spec, sizeMs[i], widthLog2s[i]);
                    }
                }
            }
            records[id] = (int) record;
            Integer backendBase = backendBases.get(spec.backends());
            m.set(ValueLayout.JAVA_INT, record + FLAGS, spec.flags());
            m.set(ValueLayout.JAVA_INT, record + AFFINITY_TIMEOUT_SECONDS, spec.affinityTimeoutSeconds());
            m.set(ValueLayout.JAVA_INT, record + CLUSTER_FIRST_SLOT, spec.clusterFirstSlot());
            m.set(ValueLayout.JAVA_INT, record + CLUSTER_COUNT, spec.clusterCount());
            m.set(ValueLayout.JAVA_INT, record + LOCAL_COUNT, spec.localCount());
            m.set(ValueLayout.JAVA_INT, record + MAGLEV_SIZE_M, sizeMs[i]);
            m.set(ValueLayout.JAVA_INT, record + MAGLEV_BLOCK, spec.maglevBlock() < 0 ? -1 : (int) (maglevStart + spec.maglevBlock()));
            m.set(ValueLayout.JAVA_INT, record + BACKEND_BASE, backendBase == null ? -1 : (int) (backendStart + backendBase));
            m.set(ValueLayout.JAVA_INT, record + SOURCE_RANGE_BLOCK, spec.sourceRangeBlock());
            m.set(ValueLayout.JAVA_INT, record + SERVICE_PORT_ID, spec.servicePortId());
            m.set(ValueLayout.JAVA_INT, record + MAGLEV_ENTRY_WIDTH_LOG2, widthLog2s[i]);
        }
        staging.backends = backends;
        staging.maglev = maglev;
        staging.sizeMs = sizeMs;
        staging.widthLog2s = widthLog2s;
        return new ServiceTable(generation, index, region, Arrays.copyOf(ranges, rangesUsed), keys, ids, records);
    }

    /** The cluster backend (0-based within the cluster set) Maglev entry {@code e} names. */
    private int clusterBackendAt(FrontendSpec spec, int e, int widthLog2) {
        return PackedMaglev.get(maglev, spec.maglevBlock(), e, widthLog2) + 1 - spec.clusterFirstSlot();
    }

    /** Whether every entry names a cluster backend and every cluster backend is IPv4. */
    private boolean clusterOnlyAndIpv4(FrontendSpec spec, int sizeM, int widthLog2) {
        for (int k = 0; k < spec.clusterCount(); k++) {
            if (!spec.backends().get(spec.clusterFirstSlot() - 1 + k).address().isIpv4()) {
                return false;
            }
        }
        for (int e = 0; e < sizeM; e++) {
            int backend = clusterBackendAt(spec, e, widthLog2);
            if (backend < 0 || backend >= spec.clusterCount()) {
                return false;
            }
        }
        return true;
    }

    /**
     * Whether a frontend's decision is Maglev over at most {@link ServiceTableDescriptor#PAIRED_MAX_BACKENDS}
     * IPv4 backends of one port, with an M its bucket and backend line hold, and nothing else.
     */
    private boolean fitsPairedBucket(FrontendSpec spec, int sizeM, int widthLog2) {
        int count = spec.clusterCount();
        if ((spec.flags() & FLAGS_NOT_COMPACT) != 0 || count < 1 || count > PAIRED_MAX_BACKENDS
                || sizeM <= count || sizeM > PAIRED_MAX_SIZE_M || sizeM > ServiceTableDescriptor.pairedCapacity(count)) {
            return false;
        }
        int port = spec.backends().get(spec.clusterFirstSlot() - 1).port();
        for (int k = 1; k < count; k++) {
            if (spec.backends().get(spec.clusterFirstSlot() - 1 + k).port() != port) {
                return false;
            }
        }
        return clusterOnlyAndIpv4(spec, sizeM, widthLog2);
    }

    private void writePairedBucket(MemorySegment m, long at, long line, FrontendSpec spec, int sizeM, int widthLog2) {
        m.set(ValueLayout.JAVA_INT, at + FLAGS, spec.flags() | FLAG_PAIRED);
        m.set(ValueLayout.JAVA_INT, at + COMPACT_SERVICE_PORT_ID, spec.servicePortId());
        m.set(ValueLayout.JAVA_INT, at + PAIRED_LINE_AND_M, (int) (line >>> 6) << 8 | sizeM);
        m.set(ValueLayout.JAVA_SHORT, at + PAIRED_BACKEND_PORT, (short) spec.backends().get(spec.clusterFirstSlot() - 1).port());
        for (int e = 0; e < Math.min(sizeM, PAIRED_BUCKET_ENTRIES); e++) {
            orNibble(m, at + PAIRED_MAGLEV, e, clusterBackendAt(spec, e, widthLog2));
        }
    }

    private void writeBackendLine(MemorySegment m, long line, FrontendSpec spec, int sizeM, int widthLog2) {
        for (int e = PAIRED_BUCKET_ENTRIES; e < sizeM; e++) {
            orNibble(m, line, e - PAIRED_BUCKET_ENTRIES, clusterBackendAt(spec, e, widthLog2));
        }
        for (int k = 0; k < spec.clusterCount(); k++) {
            m.set(ValueLayout.JAVA_INT, line + PAIRED_LINE_BACKEND_0 - 4L * k, spec.backends().get(spec.clusterFirstSlot() - 1 + k).address().ipv4());
        }
    }

    /** Sets 4-bit entry {@code e} of the entries starting at byte {@code at} (zeroed beforehand). */
    private static void orNibble(MemorySegment m, long at, int e, int value) {
        long b = at + (e >>> 1);
        m.set(ValueLayout.JAVA_BYTE, b, (byte) (m.get(ValueLayout.JAVA_BYTE, b) | value << ((e & 1) << 2)));
    }

    /**
     * Whether a frontend's decision is Maglev over at most {@link ServiceTableDescriptor#COMPACT_MAX_BACKENDS}
     * IPv4 backends with M = {@link ServiceTableDescriptor#COMPACT_SIZE_M} and nothing else.
     */
    private boolean fitsCompactBucket(FrontendSpec spec, int sizeM, int widthLog2) {
        if ((spec.flags() & FLAGS_NOT_COMPACT) != 0 || spec.clusterCount() < 1 || spec.clusterCount() > COMPACT_MAX_BACKENDS
                || sizeM != COMPACT_SIZE_M) {
            return false;
        }
        return clusterOnlyAndIpv4(spec, sizeM, widthLog2);
    }

    private void writeCompactBucket(MemorySegment m, long at, FrontendSpec spec, int sizeM, int widthLog2) {
        m.set(ValueLayout.JAVA_INT, at + FLAGS, spec.flags() | FLAG_COMPACT);
        m.set(ValueLayout.JAVA_INT, at + COMPACT_SERVICE_PORT_ID, spec.servicePortId());
        for (int k = 0; k < spec.clusterCount(); k++) {
            BackendSlot b = spec.backends().get(spec.clusterFirstSlot() - 1 + k);
            m.set(ValueLayout.JAVA_INT, at + COMPACT_BACKEND_IPV4 + 4L * k, b.address().ipv4());
            m.set(ValueLayout.JAVA_SHORT, at + COMPACT_BACKEND_PORT + 2L * k, (short) b.port());
        }
        for (int e = 0; e < sizeM; e++) {
            int backend = clusterBackendAt(spec, e, widthLog2);
            long b = at + COMPACT_MAGLEV + (e >>> 2);
            m.set(ValueLayout.JAVA_BYTE, b, (byte) (m.get(ValueLayout.JAVA_BYTE, b) | backend << ((e & 3) << 1)));
        }
    }
}
