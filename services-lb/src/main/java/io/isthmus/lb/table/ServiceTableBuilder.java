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

    private final long generation;
    private int[] backends = new int[1024];
    private int backendsUsed;
    private char[] maglev = new char[1024];
    private int maglevUsed;
    private long[] ranges = new long[64];
    private int rangesUsed;
    private final List<FrontendKey> keys = new ArrayList<>();
    private final List<FrontendSpec> specs = new ArrayList<>();
    private final Set<FrontendKey> keySet = new HashSet<>();
    private final Map<Integer, Integer> blockSizeM = new HashMap<>();
    private final Map<List<BackendSlot>, Integer> backendBases = new IdentityHashMap<>();

    public ServiceTableBuilder(long generation) {
        this.generation = generation;
    }

    /**
     * Appends a Maglev block: the cluster entries, then the local entries if given. Entries are
     * backend slot numbers (1-based) of the frontends that will share the block; M is the length
     * of the cluster entries.
     *
     * @return the block offset for {@link FrontendSpec#maglevBlock()}
     */
    public int addMaglevBlock(int[] clusterEntries, int[] localEntries) {
        int sizeM = clusterEntries.length;
        if (localEntries != null && localEntries.length != sizeM) {
            throw new IllegalArgumentException("local Maglev entries must have M = " + sizeM + " elements");
        }
        int need = sizeM + (localEntries == null ? 0 : sizeM);
        if (maglev.length < maglevUsed + need) {
            maglev = Arrays.copyOf(maglev, Math.max(maglev.length * 2, maglevUsed + need));
        }
        int block = maglevUsed;
        copySlots(clusterEntries, maglev, block);
        if (localEntries != null) {
            copySlots(localEntries, maglev, block + sizeM);
        }
        maglevUsed += need;
        blockSizeM.put(block, sizeM);
        return block;
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
        if (spec.maglevBlock() >= 0 && !blockSizeM.containsKey(spec.maglevBlock())) {
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
            m.set(ValueLayout.JAVA_INT, at + MAGLEV_SIZE_M, spec.maglevBlock() < 0 ? 0 : blockSizeM.get(spec.maglevBlock()));
            m.set(ValueLayout.JAVA_INT, at + MAGLEV_BLOCK, spec.maglevBlock());
            m.set(ValueLayout.JAVA_INT, at + BACKEND_BASE, backendBases.getOrDefault(spec.backends(), -1));
            m.set(ValueLayout.JAVA_INT, at + SOURCE_RANGE_BLOCK, spec.sourceRangeBlock());
            m.set(ValueLayout.JAVA_INT, at + SERVICE_PORT_ID, spec.servicePortId());
        }
        return new ServiceTable(generation, index, Arrays.copyOf(backends, backendsUsed), Arrays.copyOf(maglev, maglevUsed),
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

    private static int[] grow(int[] a, int need) {
        return a.length >= need ? a : Arrays.copyOf(a, Math.max(a.length * 2, need));
    }
}
