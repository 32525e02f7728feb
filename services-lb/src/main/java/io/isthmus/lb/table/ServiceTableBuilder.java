package io.isthmus.lb.table;

import static io.isthmus.lb.table.ServiceTableDescriptor.AFFINITY_TIMEOUT_SECONDS;
import static io.isthmus.lb.table.ServiceTableDescriptor.BACKEND_BASE;
import static io.isthmus.lb.table.ServiceTableDescriptor.BACKEND_FLAGS;
import static io.isthmus.lb.table.ServiceTableDescriptor.BACKEND_ID;
import static io.isthmus.lb.table.ServiceTableDescriptor.BACKEND_INTS;
import static io.isthmus.lb.table.ServiceTableDescriptor.BACKEND_PORT;
import static io.isthmus.lb.table.ServiceTableDescriptor.BUCKET_BYTES;
import static io.isthmus.lb.table.ServiceTableDescriptor.CLUSTER_COUNT;
import static io.isthmus.lb.table.ServiceTableDescriptor.CLUSTER_FIRST_SLOT;
import static io.isthmus.lb.table.ServiceTableDescriptor.FLAGS;
import static io.isthmus.lb.table.ServiceTableDescriptor.LOCAL_COUNT;
import static io.isthmus.lb.table.ServiceTableDescriptor.MAGLEV_BLOCK;
import static io.isthmus.lb.table.ServiceTableDescriptor.MAGLEV_SIZE_M;
import static io.isthmus.lb.table.ServiceTableDescriptor.RANGE_LONGS;
import static io.isthmus.lb.table.ServiceTableDescriptor.SERVICE_PORT_ID;
import static io.isthmus.lb.table.ServiceTableDescriptor.SOURCE_RANGE_BLOCK;

import io.isthmus.lb.ip.IpCidr;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
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

    private final long generation;
    private int[] backends;
    private int backendsUsed;
    private char[] maglev;
    private int maglevUsed;
    private long[] ranges = new long[64];
    private int rangesUsed;
    private final List<FrontendKey> keys;
    private final List<FrontendSpec> specs;
    private final Set<FrontendKey> keySet;
    /** M of each added frontend's Maglev block (0 without one), parallel to {@code specs}. */
    private int[] sizeMs;
    /** Maglev block offsets in the order appended (so ascending) and their M: a binary search, no boxing. */
    private int[] blockStarts = new int[64];
    private int[] blockSizes = new int[64];
    private int blocks;
    private final Map<List<BackendSlot>, Integer> backendBases = new IdentityHashMap<>();

    public ServiceTableBuilder(long generation) {
        this(generation, 16, 1024, 1024);
    }

    /**
     * A builder sized for what will be added (an assembly from compiled pieces knows it): the
     * arrays are allocated once and, when the hints are exact, handed to the table without a copy.
     *
     * @param frontends     frontends expected
     * @param backendSlots  backend slots expected (over all distinct backend lists)
     * @param maglevEntries Maglev entries expected (cluster plus local entries of every block)
     */
    public ServiceTableBuilder(long generation, int frontends, int backendSlots, int maglevEntries) {
        this.generation = generation;
        this.keys = new ArrayList<>(frontends);
        this.specs = new ArrayList<>(frontends);
        this.keySet = HashSet.newHashSet(frontends);
        this.sizeMs = new int[Math.max(16, frontends)];
        this.backends = new int[Math.max(1, backendSlots * BACKEND_INTS)];
        this.maglev = new char[Math.max(1, maglevEntries)];
    }

    /**
     * A Maglev block checked once (every entry a backend slot number) and kept as the table stores
     * it, so that assembling a generation from compiled pieces is a plain array copy.
     * Immutable; any thread.
     */
    public static final class MaglevBlock {
        private final char[] entries;
        private final int sizeM;

        private MaglevBlock(char[] entries, int sizeM) {
            this.entries = entries;
            this.sizeM = sizeM;
        }

        /** Cluster entries then local entries. */
        public int entryCount() {
            return entries.length;
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
        char[] entries = new char[sizeM + (localEntries == null ? 0 : sizeM)];
        copySlots(clusterEntries, entries, 0);
        if (localEntries != null) {
            copySlots(localEntries, entries, sizeM);
        }
        return new MaglevBlock(entries, sizeM);
    }

    /** Appends a checked Maglev block (an array copy). @return the block offset for {@link FrontendSpec#maglevBlock()} */
    public int addMaglevBlock(MaglevBlock block) {
        int need = block.entries.length;
        if (maglev.length < maglevUsed + need) {
            maglev = Arrays.copyOf(maglev, Math.max(maglev.length * 2, maglevUsed + need));
        }
        int offset = maglevUsed;
        System.arraycopy(block.entries, 0, maglev, offset, need);
        maglevUsed += need;
        if (blocks == blockStarts.length) {
            blockStarts = Arrays.copyOf(blockStarts, blocks * 2);
            blockSizes = Arrays.copyOf(blockSizes, blocks * 2);
        }
        blockStarts[blocks] = offset;
        blockSizes[blocks] = block.sizeM;
        blocks++;
        return offset;
    }

    /** M of the block at {@code offset}, or -1 when no block starts there. */
    private int blockSizeM(int offset) {
        if (blocks > 0 && blockStarts[blocks - 1] == offset) {
            return blockSizes[blocks - 1]; // the usual case: a port's frontends follow its block
        }
        int i = Arrays.binarySearch(blockStarts, 0, blocks, offset);
        return i < 0 ? -1 : blockSizes[i];
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
        int sizeM = spec.maglevBlock() < 0 ? 0 : blockSizeM(spec.maglevBlock());
        if (sizeM < 0) {
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
        }
        sizeMs[specs.size() - 1] = sizeM;
        return true;
    }

    private int appendBackends(List<BackendSlot> slots) {
        backends = grow(backends, backendsUsed + slots.size() * BACKEND_INTS);
        int base = backendsUsed;
        for (int i = 0; i < slots.size(); i++) {
            BackendSlot b = slots.get(i);
            int at = base + i * BACKEND_INTS;
            backends[at] = (int) (b.address().hi() >>> 32);
            backends[at + 1] = (int) b.address().hi();
            backends[at + 2] = (int) (b.address().lo() >>> 32);
            backends[at + 3] = (int) b.address().lo();
            backends[at + BACKEND_PORT] = b.port();
            backends[at + BACKEND_FLAGS] = b.flags();
            backends[at + BACKEND_ID] = b.backendId();
        }
        backendsUsed += slots.size() * BACKEND_INTS;
        return base;
    }

    public ServiceTable build() {
        int n = keys.size();
        FrontendIndex index = new FrontendIndex(n);
        MemorySegment m = index.buckets();
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) {
            FrontendKey k = keys.get(i);
            FrontendSpec spec = specs.get(i);
            int id = index.insert(k.address().hi(), k.address().lo(),
                    ServiceTableDescriptor.keyTag(k.port(), k.protocol().ipProtocolNumber()));
            ids[i] = id;
            long at = (long) id * BUCKET_BYTES;
            m.set(ValueLayout.JAVA_INT, at + FLAGS, spec.flags());
            m.set(ValueLayout.JAVA_INT, at + AFFINITY_TIMEOUT_SECONDS, spec.affinityTimeoutSeconds());
            m.set(ValueLayout.JAVA_INT, at + CLUSTER_FIRST_SLOT, spec.clusterFirstSlot());
            m.set(ValueLayout.JAVA_INT, at + CLUSTER_COUNT, spec.clusterCount());
            m.set(ValueLayout.JAVA_INT, at + LOCAL_COUNT, spec.localCount());
            m.set(ValueLayout.JAVA_INT, at + MAGLEV_SIZE_M, sizeMs[i]);
            m.set(ValueLayout.JAVA_INT, at + MAGLEV_BLOCK, spec.maglevBlock());
            m.set(ValueLayout.JAVA_INT, at + BACKEND_BASE, backendBases.getOrDefault(spec.backends(), -1));
            m.set(ValueLayout.JAVA_INT, at + SOURCE_RANGE_BLOCK, spec.sourceRangeBlock());
            m.set(ValueLayout.JAVA_INT, at + SERVICE_PORT_ID, spec.servicePortId());
        }
        return new ServiceTable(generation, index, exact(backends, backendsUsed), exact(maglev, maglevUsed),
                Arrays.copyOf(ranges, rangesUsed), keys, ids);
    }

    private static void copySlots(int[] slots, char[] into, int at) {
        for (int i = 0; i < slots.length; i++) {
            if (slots[i] < 1 || slots[i] > ServiceTableDescriptor.MAX_BACKEND_SLOTS) {
                throw new IllegalArgumentException("Maglev entry " + slots[i] + " is no backend slot 1.." + ServiceTableDescriptor.MAX_BACKEND_SLOTS);
            }
            into[at + i] = (char) slots[i];
        }
    }

    private static int[] exact(int[] a, int length) {
        return a.length == length ? a : Arrays.copyOf(a, length);
    }

    private static char[] exact(char[] a, int length) {
        return a.length == length ? a : Arrays.copyOf(a, length);
    }

    private static int[] grow(int[] a, int need) {
        return a.length >= need ? a : Arrays.copyOf(a, Math.max(a.length * 2, need));
    }
}
