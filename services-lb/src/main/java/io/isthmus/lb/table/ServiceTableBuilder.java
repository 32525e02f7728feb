package io.isthmus.lb.table;

import static io.isthmus.lb.table.ServiceTableDescriptor.ADDRESS_WORD_0;
import static io.isthmus.lb.table.ServiceTableDescriptor.AFFINITY_TIMEOUT_SECONDS;
import static io.isthmus.lb.table.ServiceTableDescriptor.BACKEND_FLAGS;
import static io.isthmus.lb.table.ServiceTableDescriptor.BACKEND_ID;
import static io.isthmus.lb.table.ServiceTableDescriptor.BACKEND_PORT;
import static io.isthmus.lb.table.ServiceTableDescriptor.CLUSTER_COUNT;
import static io.isthmus.lb.table.ServiceTableDescriptor.CLUSTER_FIRST_SLOT;
import static io.isthmus.lb.table.ServiceTableDescriptor.FLAGS;
import static io.isthmus.lb.table.ServiceTableDescriptor.LOCAL_COUNT;
import static io.isthmus.lb.table.ServiceTableDescriptor.MAGLEV_BLOCK;
import static io.isthmus.lb.table.ServiceTableDescriptor.RANGE_LONGS;
import static io.isthmus.lb.table.ServiceTableDescriptor.MAGLEV_SIZE_M;
import static io.isthmus.lb.table.ServiceTableDescriptor.SLOT_INTS;
import static io.isthmus.lb.table.ServiceTableDescriptor.SOURCE_RANGE_BLOCK;

import io.isthmus.lb.ip.IpCidr;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Assembles one {@link ServiceTable} generation. Used by the compiler only.
 *
 * <p>Thread-safety: none; one slow-path thread builds, then publishes the immutable table.
 */
public final class ServiceTableBuilder {

    private final long generation;
    private int[] slots = new int[1024];
    private int slotsUsed;
    private int[] maglev = new int[1024];
    private int maglevUsed;
    private long[] ranges = new long[64];
    private int rangesUsed;
    private final List<FrontendKey> keys = new ArrayList<>();
    private final Set<FrontendKey> keySet = new HashSet<>();
    private int[] frontendIds = new int[64];
    private final java.util.Map<Integer, Integer> blockSizeM = new java.util.HashMap<>();

    public ServiceTableBuilder(long generation) {
        this.generation = generation;
    }

    /**
     * Appends a Maglev block: the service port id, then the cluster entries, then the local
     * entries if given. Entries are backend slot numbers (1-based) of the frontends that will share
     * the block; M is the length of the cluster entries.
     *
     * @return the block offset for {@link FrontendSpec#maglevBlock()}
     */
    public int addMaglevBlock(int servicePortId, int[] clusterEntries, int[] localEntries) {
        int sizeM = clusterEntries.length;
        if (localEntries != null && localEntries.length != sizeM) {
            throw new IllegalArgumentException("local Maglev entries must have M = " + sizeM + " elements");
        }
        int need = 1 + sizeM + (localEntries == null ? 0 : sizeM);
        maglev = grow(maglev, maglevUsed + need);
        int block = maglevUsed;
        maglev[block] = servicePortId;
        System.arraycopy(clusterEntries, 0, maglev, block + 1, sizeM);
        if (localEntries != null) {
            System.arraycopy(localEntries, 0, maglev, block + 1 + sizeM, sizeM);
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
        int total = spec.backends().size();
        int need = (1 + total) * SLOT_INTS;
        slots = grow(slots, slotsUsed + need);
        int f = slotsUsed;
        slots[f + FLAGS] = spec.flags();
        slots[f + AFFINITY_TIMEOUT_SECONDS] = spec.affinityTimeoutSeconds();
        slots[f + CLUSTER_FIRST_SLOT] = spec.clusterFirstSlot();
        slots[f + CLUSTER_COUNT] = spec.clusterCount();
        slots[f + LOCAL_COUNT] = spec.localCount();
        slots[f + MAGLEV_SIZE_M] = spec.maglevBlock() < 0 ? 0 : blockSizeM.get(spec.maglevBlock());
        slots[f + MAGLEV_BLOCK] = spec.maglevBlock();
        slots[f + SOURCE_RANGE_BLOCK] = spec.sourceRangeBlock();
        for (int i = 0; i < total; i++) {
            BackendSlot b = spec.backends().get(i);
            int at = f + (i + 1) * SLOT_INTS;
            slots[at + ADDRESS_WORD_0] = (int) (b.address().hi() >>> 32);
            slots[at + ADDRESS_WORD_0 + 1] = (int) b.address().hi();
            slots[at + ADDRESS_WORD_0 + 2] = (int) (b.address().lo() >>> 32);
            slots[at + ADDRESS_WORD_0 + 3] = (int) b.address().lo();
            slots[at + BACKEND_PORT] = b.port();
            slots[at + BACKEND_FLAGS] = b.flags();
            slots[at + BACKEND_ID] = b.backendId();
        }
        slotsUsed += need;
        frontendIds = grow(frontendIds, keys.size() + 1);
        frontendIds[keys.size()] = f;
        keys.add(key);
        return true;
    }

    public ServiceTable build() {
        int n = keys.size();
        long[] hi = new long[n];
        long[] lo = new long[n];
        int[] port = new int[n];
        int[] protocol = new int[n];
        for (int i = 0; i < n; i++) {
            FrontendKey k = keys.get(i);
            hi[i] = k.address().hi();
            lo[i] = k.address().lo();
            port[i] = k.port();
            protocol[i] = k.protocol().ipProtocolNumber();
        }
        int[] ids = Arrays.copyOf(frontendIds, n);
        FrontendIndex index = FrontendIndex.build(hi, lo, port, protocol, ids, n);
        return new ServiceTable(generation, index, Arrays.copyOf(slots, slotsUsed), Arrays.copyOf(maglev, maglevUsed),
                Arrays.copyOf(ranges, rangesUsed), keys, ids);
    }

    private static int[] grow(int[] a, int need) {
        return a.length >= need ? a : Arrays.copyOf(a, Math.max(a.length * 2, need));
    }
}
