package io.isthmus.lb.table;

import static io.isthmus.lb.table.ServiceTableDescriptor.AFFINITY_TIMEOUT_SECONDS;
import static io.isthmus.lb.table.ServiceTableDescriptor.BACKEND_ADDRESS_HI;
import static io.isthmus.lb.table.ServiceTableDescriptor.BACKEND_ADDRESS_LO;
import static io.isthmus.lb.table.ServiceTableDescriptor.BACKEND_BASE;
import static io.isthmus.lb.table.ServiceTableDescriptor.BACKEND_BYTES;
import static io.isthmus.lb.table.ServiceTableDescriptor.BACKEND_FLAGS;
import static io.isthmus.lb.table.ServiceTableDescriptor.BACKEND_ID;
import static io.isthmus.lb.table.ServiceTableDescriptor.BACKEND_LOCAL;
import static io.isthmus.lb.table.ServiceTableDescriptor.BACKEND_PORT;
import static io.isthmus.lb.table.ServiceTableDescriptor.BACKEND_TERMINATING;
import static io.isthmus.lb.table.ServiceTableDescriptor.BUCKET_BYTES;
import static io.isthmus.lb.table.ServiceTableDescriptor.CLUSTER_COUNT;
import static io.isthmus.lb.table.ServiceTableDescriptor.CLUSTER_FIRST_SLOT;
import static io.isthmus.lb.table.ServiceTableDescriptor.COMPACT_BACKEND_IPV4;
import static io.isthmus.lb.table.ServiceTableDescriptor.COMPACT_BACKEND_PORT;
import static io.isthmus.lb.table.ServiceTableDescriptor.COMPACT_MAGLEV;
import static io.isthmus.lb.table.ServiceTableDescriptor.COMPACT_SERVICE_PORT_ID;
import static io.isthmus.lb.table.ServiceTableDescriptor.COMPACT_SIZE_M;
import static io.isthmus.lb.table.ServiceTableDescriptor.FLAG_COMPACT;
import static io.isthmus.lb.table.ServiceTableDescriptor.FLAG_PAIRED;
import static io.isthmus.lb.table.ServiceTableDescriptor.PAIRED_BACKEND_PORT;
import static io.isthmus.lb.table.ServiceTableDescriptor.PAIRED_BUCKET_ENTRIES;
import static io.isthmus.lb.table.ServiceTableDescriptor.PAIRED_LINE_AND_M;
import static io.isthmus.lb.table.ServiceTableDescriptor.PAIRED_LINE_BACKEND_0;
import static io.isthmus.lb.table.ServiceTableDescriptor.PAIRED_MAGLEV;
import static io.isthmus.lb.table.ServiceTableDescriptor.FLAGS;
import static io.isthmus.lb.table.ServiceTableDescriptor.FLAG_AFFINITY_CLIENT_IP;
import static io.isthmus.lb.table.ServiceTableDescriptor.FLAG_EXTERNAL_POLICY_LOCAL;
import static io.isthmus.lb.table.ServiceTableDescriptor.FLAG_EXTERNAL_SCOPE;
import static io.isthmus.lb.table.ServiceTableDescriptor.FLAG_INTERNAL_POLICY_LOCAL;
import static io.isthmus.lb.table.ServiceTableDescriptor.FLAG_SOURCE_RANGES;
import static io.isthmus.lb.table.ServiceTableDescriptor.LOCAL_COUNT;
import static io.isthmus.lb.table.ServiceTableDescriptor.MAGLEV_BLOCK;
import static io.isthmus.lb.table.ServiceTableDescriptor.MAGLEV_ENTRY_WIDTH_LOG2;
import static io.isthmus.lb.table.ServiceTableDescriptor.MAGLEV_SIZE_M;
import static io.isthmus.lb.table.ServiceTableDescriptor.RANGE_COUNT;
import static io.isthmus.lb.table.ServiceTableDescriptor.RANGE_FIRST;
import static io.isthmus.lb.table.ServiceTableDescriptor.RANGE_LONGS;
import static io.isthmus.lb.table.ServiceTableDescriptor.SERVICE_PORT_ID;
import static io.isthmus.lb.table.ServiceTableDescriptor.SOURCE_RANGE_BLOCK;

import io.isthmus.lb.affinity.AffinityBackend;
import io.isthmus.lb.affinity.AffinityTable;
import io.isthmus.lb.ip.IpAddress;
import io.isthmus.lb.maglev.MaglevTable;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

/**
 * One compiled, immutable generation of every Service frontend on this node: the frontend buckets
 * (key + slot 0), the backend records and the packed Maglev tables in one off-heap region, and the
 * source ranges ({@link ServiceTableDescriptor}); a frontend that needs nothing but Maglev over 1-3
 * IPv4 backends has a compact bucket holding its whole decision, so deciding it reads one line,
 * and one over up to 16 IPv4 backends of one port a paired bucket (the bucket and one backend line).
 * The fast path asks it one question per new flow —
 * {@link #decide} — and gets a verdict and, for FORWARD, a backend, with no allocation, no lock
 * and no exception.
 *
 * <p>Thread-safety: immutable after {@link ServiceTableBuilder#build()}; published to workers by
 * the slow path (read-copy-update: a worker picks up the newest generation at the start of a
 * batch, through a volatile reference the slow path writes). Any number of workers read it. Its
 * off-heap region is freed explicitly by {@link #free()}, which the fast path's generation
 * reclaimer calls on a slow-path thread once every worker has moved past the generation (see
 * {@code io.isthmus.fastpath.control.GenerationReclaimer}); nothing may read the table after that.
 * A table nobody frees (tests, benchmarks, a CLI dump) is freed by a cleaner once unreachable.
 */
public final class ServiceTable {

    private static final long NANOS_PER_SECOND = 1_000_000_000L;
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT;
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG;

    private final long generation;
    private final FrontendIndex index;
    /** Buckets, backend records and Maglev blocks ({@link ServiceTableDescriptor}). */
    private final MemorySegment region;
    private final TableMemory.Region memory;
    private final long[] ranges;
    private final List<FrontendKey> keys;
    private final int[] frontendIds;
    /** Byte offset of each frontend's full record (its bucket, or the cold record of a compact one), by frontend id. */
    private final int[] records;

    ServiceTable(long generation, FrontendIndex index, TableMemory.Region memory, long[] ranges,
                 List<FrontendKey> keys, int[] frontendIds, int[] records) {
        this.generation = generation;
        this.index = index;
        this.region = index.region();
        this.memory = memory;
        memory.freeWhenUnreachable(this);
        this.ranges = ranges;
        this.keys = List.copyOf(keys);
        this.frontendIds = frontendIds;
        this.records = records;
    }

    public long generation() {
        return generation;
    }

    /**
     * The frontend id for a destination, or -1 when it is no Service frontend.
     *
     * @param protocol IP protocol number (6, 17, 132)
     */
    public int findFrontend(long addressHi, long addressLo, int port, int protocol) {
        return index.find(addressHi, addressLo, ServiceTableDescriptor.keyTag(port, protocol));
    }

    /**
     * The first step of {@link #findFrontend}, for a stage that looks up a batch in passes: the
     * home bucket of a destination (no memory read). Then {@link #touchFrontend} for every flow
     * (loads nothing depends on, so that the batch's bucket misses overlap), then
     * {@link #findFrontendFrom} for every flow (from lines already loaded).
     */
    public int frontendHome(long addressHi, long addressLo, int port, int protocol) {
        return index.home(addressHi, addressLo, ServiceTableDescriptor.keyTag(port, protocol));
    }

    /** Loads the bucket {@link #frontendHome} named; returns a value to sink. */
    public int touchFrontend(int home) {
        return index.touch(home);
    }

    /** {@link #findFrontend} from the destination's {@link #frontendHome}. */
    public int findFrontendFrom(int home, long addressHi, long addressLo, int port, int protocol) {
        return index.findFrom(home, addressHi, addressLo, ServiceTableDescriptor.keyTag(port, protocol));
    }

    /** {@link #findFrontend} then {@link #decide}: the whole per-new-flow question. */
    public ServiceVerdict decideNewFlow(long dstHi, long dstLo, int dstPort, int protocol,
                                       long srcHi, long srcLo, int flowHash, TrafficSource source,
                                       long nowNs, AffinityTable affinity, ServiceDecision out) {
        return decide(findFrontend(dstHi, dstLo, dstPort, protocol), srcHi, srcLo, flowHash, source, nowNs, affinity, out);
    }

    /**
     * Decides a new flow to a frontend, applying in order: no usable endpoint → REJECT;
     * loadBalancerSourceRanges; traffic policy (which backend set, and SNAT or not); session
     * affinity; Maglev ({@code table[flowHash mod M]}); hairpin.
     *
     * @param frontend  from {@link #findFrontend}; -1 gives NOT_A_SERVICE
     * @param flowHash  a hash of the flow's 5-tuple (the same flow must give the same hash)
     * @param nowNs     the worker's clock for affinity expiry (read once per batch)
     * @param affinity  the shared affinity table; may be null when no Service uses ClientIP affinity
     */
    public ServiceVerdict decide(int frontend, long srcHi, long srcLo, int flowHash, TrafficSource source,
                                 long nowNs, AffinityTable affinity, ServiceDecision out) {
        return decide(frontend, -1, srcHi, srcLo, flowHash, source, nowNs, affinity, out);
    }

    /**
     * {@link #decide}, for a stage that already asked {@link #backendHint} for this frontend and
     * flow hash in an earlier pass: when Maglev over the cluster-wide set is what the decision
     * comes to, the hinted record is used instead of computing the entry a second time.
     *
     * @param backendHint {@link #backendHint}{@code (frontend, flowHash)} of this table, or -1
     */
    public ServiceVerdict decide(int frontend, int backendHint, long srcHi, long srcLo, int flowHash, TrafficSource source,
                                 long nowNs, AffinityTable affinity, ServiceDecision out) {
        if (frontend < 0) {
            return ServiceVerdict.NOT_A_SERVICE;
        }
        final MemorySegment m = region;
        final long at = (long) frontend * BUCKET_BYTES;
        out.reset(frontend);
        int flags = m.get(INT, at + FLAGS);
        if ((flags & FLAG_COMPACT) != 0) {
            return decideCompact(m, at, frontend, flags, srcHi, srcLo, flowHash, source, out);
        }
        if ((flags & FLAG_PAIRED) != 0) {
            return decidePaired(m, at, flags, srcHi, srcLo, flowHash, source, out);
        }
        out.setServicePortId(m.get(INT, at + SERVICE_PORT_ID));
        int clusterCount = m.get(INT, at + CLUSTER_COUNT);
        if (clusterCount == 0) {
            return ServiceVerdict.REJECT;
        }
        if ((flags & FLAG_SOURCE_RANGES) != 0 && !sourceAllowed(m.get(INT, at + SOURCE_RANGE_BLOCK), srcHi, srcLo)) {
            return ServiceVerdict.DROP_SOURCE_NOT_ALLOWED;
        }
        boolean useLocal;
        boolean snat;
        if ((flags & FLAG_EXTERNAL_SCOPE) != 0) {
            if ((flags & FLAG_EXTERNAL_POLICY_LOCAL) != 0) {
                // Local: external clients see local endpoints only, source preserved. Pods and the
                // node itself are short-circuited to the cluster-wide set (node traffic masqueraded).
                useLocal = source == TrafficSource.EXTERNAL;
                snat = source == TrafficSource.NODE;
            } else {
                useLocal = false;
                snat = true;
            }
        } else {
            useLocal = (flags & FLAG_INTERNAL_POLICY_LOCAL) != 0;
            snat = source != TrafficSource.CLUSTER_POD;
        }
        int sizeM = m.get(INT, at + MAGLEV_SIZE_M);
        long table = m.get(INT, at + MAGLEV_BLOCK);
        int widthLog2 = m.get(INT, at + MAGLEV_ENTRY_WIDTH_LOG2);
        int first;
        int count;
        if (useLocal) {
            first = 1;
            count = m.get(INT, at + LOCAL_COUNT);
            if (count == 0) {
                return ServiceVerdict.DROP_NO_LOCAL_ENDPOINT;
            }
            table += PackedMaglev.bytesFor(sizeM, widthLog2);
        } else {
            first = m.get(INT, at + CLUSTER_FIRST_SLOT);
            count = clusterCount;
        }
        long base = m.get(INT, at + BACKEND_BASE) - BACKEND_BYTES; // slot i at base + i * BACKEND_BYTES

        int slot = 0;
        boolean affine = (flags & FLAG_AFFINITY_CLIENT_IP) != 0 && affinity != null;
        int servicePortId = 0;
        if (affine) {
            servicePortId = m.get(INT, at + SERVICE_PORT_ID);
            AffinityBackend remembered = out.affinityScratch();
            if (affinity.lookup(srcHi, srcLo, servicePortId, nowNs, remembered)) {
                slot = findSlot(base, first, count, remembered.addressHi(), remembered.addressLo(), remembered.port());
                out.setAffinityHit(slot != 0);
            }
        }
        long s;
        if (slot != 0) {
            s = base + (long) slot * BACKEND_BYTES;
        } else if (backendHint >= 0 && !useLocal) {
            s = backendHint;
        } else {
            s = base + (1L + PackedMaglev.get(m, table, MaglevTable.entryIndex(flowHash, sizeM), widthLog2)) * BACKEND_BYTES;
        }
        long backendHi = m.get(LONG, s + BACKEND_ADDRESS_HI);
        long backendLo = m.get(LONG, s + BACKEND_ADDRESS_LO);
        int backendPort = m.get(INT, s + BACKEND_PORT);
        out.setBackend(backendHi, backendLo, backendPort);
        out.setBackendId(m.get(INT, s + BACKEND_ID));
        if (affine) {
            long timeoutNs = m.get(INT, at + AFFINITY_TIMEOUT_SECONDS) * NANOS_PER_SECOND;
            affinity.remember(srcHi, srcLo, servicePortId, backendHi, backendLo, backendPort, nowNs + timeoutNs, nowNs);
        }
        if (backendHi == srcHi && backendLo == srcLo) {
            out.setHairpin(true);
            snat = true;
        }
        out.setSnat(snat);
        return ServiceVerdict.FORWARD;
    }

    /**
     * The decision of a compact bucket ({@link ServiceTableDescriptor}, "compact bucket"): Maglev
     * over its at most 3 IPv4 backends, all read from the bucket's one line. Same verdict, backend
     * and SNAT as the general path would give (no affinity, Local policy or source ranges here).
     */
    private ServiceVerdict decideCompact(MemorySegment m, long at, int frontend, int flags, long srcHi, long srcLo, int flowHash,
                                         TrafficSource source, ServiceDecision out) {
        final int entry = MaglevTable.entryIndex(flowHash, COMPACT_SIZE_M);
        final int k = (m.get(ValueLayout.JAVA_BYTE, at + COMPACT_MAGLEV + (entry >>> 2)) >>> ((entry & 3) << 1)) & 3;
        final long backendLo = IpAddress.IPV4_MAPPED_PREFIX_LO | (m.get(INT, at + COMPACT_BACKEND_IPV4 + 4L * k) & 0xffff_ffffL);
        return forwardCompact(out, backendLo, m.get(ValueLayout.JAVA_SHORT, at + COMPACT_BACKEND_PORT + 2L * k) & 0xffff,
                m.get(INT, at + COMPACT_SERVICE_PORT_ID), k, flags, srcHi, srcLo, source);
    }

    /**
     * The decision of a paired bucket ({@link ServiceTableDescriptor}, "paired bucket"): Maglev over
     * its at most 16 IPv4 backends of one port, read from the bucket and its backend line. Entries
     * 0..59 are in the bucket, the rest in the line; which one is chosen without a branch (the
     * entry is random, a branch would mispredict half the time).
     */
    private ServiceVerdict decidePaired(MemorySegment m, long at, int flags, long srcHi, long srcLo, int flowHash,
                                        TrafficSource source, ServiceDecision out) {
        final int lineAndM = m.get(INT, at + PAIRED_LINE_AND_M);
        final long line = (long) (lineAndM >>> 8) << 6;
        final int entry = MaglevTable.entryIndex(flowHash, lineAndM & 0xff);
        final int inLine = (PAIRED_BUCKET_ENTRIES - 1 - entry) >> 31; // -1 when the entry is in the line
        // bucket + 34 + entry / 2, or (entry >= 60) line + (entry - 60) / 2 = bucket + 34 + entry / 2 + (line - bucket - 64)
        final long entryByte = at + PAIRED_MAGLEV + (entry >>> 1) + ((line - at - BUCKET_BYTES) & inLine);
        final int k = (m.get(ValueLayout.JAVA_BYTE, entryByte) >>> ((entry & 1) << 2)) & 15;
        final long backendLo = IpAddress.IPV4_MAPPED_PREFIX_LO | (m.get(INT, line + PAIRED_LINE_BACKEND_0 - 4L * k) & 0xffff_ffffL);
        return forwardCompact(out, backendLo, m.get(ValueLayout.JAVA_SHORT, at + PAIRED_BACKEND_PORT) & 0xffff,
                m.get(INT, at + COMPACT_SERVICE_PORT_ID), k, flags, srcHi, srcLo, source);
    }

    /**
     * The FORWARD decision of a compact or paired bucket to its IPv4 backend {@code k}: SNAT for
     * external-scope frontends and traffic not from a cluster pod; hairpin (and SNAT) when the
     * client is that backend.
     */
    private ServiceVerdict forwardCompact(ServiceDecision out, long backendLo, int backendPort, int servicePortId, int k,
                                          int flags, long srcHi, long srcLo, TrafficSource source) {
        out.setBackend(0, backendLo, backendPort);
        out.setServicePortId(servicePortId);
        out.setCompactBackend(this, k);
        boolean snat = (flags & FLAG_EXTERNAL_SCOPE) != 0 || source != TrafficSource.CLUSTER_POD;
        if (srcHi == 0 && backendLo == srcLo) {
            out.setHairpin(true);
            snat = true;
        }
        out.setSnat(snat);
        return ServiceVerdict.FORWARD;
    }

    /** The backend id of backend {@code k} of a compact frontend (from its cold record; not the fast path). */
    int compactBackendId(int frontend, int k) {
        long s = field(frontend, BACKEND_BASE) + (long) (field(frontend, CLUSTER_FIRST_SLOT) - 1 + k) * BACKEND_BYTES;
        return region.get(INT, s + BACKEND_ID);
    }

    /**
     * For a stage that decides a batch in passes (find every frontend, then this for every flow,
     * then {@link #touchBackend} for every flow, then {@link #decide} for every flow): loads the
     * Maglev entry of the cluster-wide set this flow hashes to and returns the position of its
     * backend record, or -1 when there is none. The loads of different flows are independent, so
     * their cache misses overlap instead of each {@link #decide} waiting for two in a row; the
     * decision itself then reads lines already in L1. Only a hint: {@link #decide} stays correct
     * whatever it picks (local set, affinity). -1 for a compact frontend too: its decision needs
     * nothing but the bucket. For a paired frontend, the position of its backend line (the one
     * line its decision reads besides the bucket; {@link #touchBackend} loads it).
     */
    public int backendHint(int frontend, int flowHash) {
        if (frontend < 0) {
            return -1;
        }
        final MemorySegment m = region;
        final long at = (long) frontend * BUCKET_BYTES;
        final int flags = m.get(INT, at + FLAGS);
        if ((flags & FLAG_COMPACT) != 0) {
            return -1; // the decision reads nothing but the bucket
        }
        if ((flags & FLAG_PAIRED) != 0) {
            return (m.get(INT, at + PAIRED_LINE_AND_M) >>> 8) << 6; // the backend line: the decision reads it and the bucket
        }
        final int sizeM = m.get(INT, at + MAGLEV_SIZE_M);
        if (sizeM == 0 || m.get(INT, at + CLUSTER_COUNT) == 0) {
            return -1;
        }
        final int entry = PackedMaglev.get(m, m.get(INT, at + MAGLEV_BLOCK), MaglevTable.entryIndex(flowHash, sizeM),
                m.get(INT, at + MAGLEV_ENTRY_WIDTH_LOG2));
        return m.get(INT, at + BACKEND_BASE) + entry * BACKEND_BYTES;
    }

    /**
     * Loads the backend record (or a paired frontend's backend line) {@link #backendHint} named
     * (one cache line: records are 32-byte aligned, lines 64-byte aligned); returns a value to sink.
     */
    public int touchBackend(int hint) {
        return hint < 0 ? 0 : region.get(INT, hint + BACKEND_ID);
    }

    /** The backend id of the record a hint names (tests). */
    int backendIdAt(int hint) {
        return region.get(INT, hint + BACKEND_ID);
    }

    private boolean sourceAllowed(int block, long srcHi, long srcLo) {
        final long[] r = ranges;
        int count = (int) r[block + RANGE_COUNT];
        for (int i = 0, at = block + RANGE_FIRST; i < count; i++, at += RANGE_LONGS) {
            if ((srcHi & r[at + 2]) == r[at] && (srcLo & r[at + 3]) == r[at + 1]) {
                return true;
            }
        }
        return false;
    }

    /** The slot in [first, first+count) holding the backend, or 0 when it is gone. */
    private int findSlot(long base, int first, int count, long hi, long lo, int port) {
        final MemorySegment m = region;
        for (int slot = first, end = first + count; slot < end; slot++) {
            long s = base + (long) slot * BACKEND_BYTES;
            if (m.get(LONG, s + BACKEND_ADDRESS_LO) == lo && m.get(LONG, s + BACKEND_ADDRESS_HI) == hi
                    && m.get(INT, s + BACKEND_PORT) == port) {
                return slot;
            }
        }
        return 0;
    }

    // ---- read-back for the slow path, dumps and tests (allocates; never on the fast path) ----

    public int frontendCount() {
        return keys.size();
    }

    /** Every frontend key, in the order the compiler added them. */
    public List<FrontendKey> frontendKeys() {
        return keys;
    }

    /** Frontend id of the key at position {@code keyIndex} of {@link #frontendKeys()}. */
    public int frontendId(int keyIndex) {
        return frontendIds[keyIndex];
    }

    public int findFrontend(FrontendKey key) {
        return findFrontend(key.address().hi(), key.address().lo(), key.port(), key.protocol().ipProtocolNumber());
    }

    private int field(int frontend, long offset) {
        return region.get(INT, records[frontend] + offset);
    }

    /** Whether the frontend's bucket is a compact one ({@link ServiceTableDescriptor}): its decision reads one line. */
    public boolean isCompact(int frontend) {
        return (region.get(INT, (long) frontend * BUCKET_BYTES + FLAGS) & FLAG_COMPACT) != 0;
    }

    /** Whether the frontend's bucket is a paired one ({@link ServiceTableDescriptor}): its decision reads the bucket and one backend line. */
    public boolean isPaired(int frontend) {
        return (region.get(INT, (long) frontend * BUCKET_BYTES + FLAGS) & FLAG_PAIRED) != 0;
    }

    /** Cache lines a Maglev decision of this frontend reads: 1 (compact), 2 (paired) or 3 (bucket, Maglev entry, backend record). */
    public int decisionLines(int frontend) {
        return isCompact(frontend) ? 1 : isPaired(frontend) ? 2 : 3;
    }

    public int flags(int frontend) {
        return field(frontend, FLAGS);
    }

    public int affinityTimeoutSeconds(int frontend) {
        return field(frontend, AFFINITY_TIMEOUT_SECONDS);
    }

    public int servicePortId(int frontend) {
        return field(frontend, SERVICE_PORT_ID);
    }

    public int clusterBackendCount(int frontend) {
        return field(frontend, CLUSTER_COUNT);
    }

    public int localBackendCount(int frontend) {
        return field(frontend, LOCAL_COUNT);
    }

    public int maglevSize(int frontend) {
        return field(frontend, MAGLEV_SIZE_M);
    }

    /** Every backend slot of a frontend, slot 1 first. */
    public List<BackendView> backends(int frontend) {
        int first = field(frontend, CLUSTER_FIRST_SLOT);
        int clusterCount = field(frontend, CLUSTER_COUNT);
        int localCount = field(frontend, LOCAL_COUNT);
        long base = field(frontend, BACKEND_BASE) - BACKEND_BYTES;
        int total = Math.max(localCount, clusterCount == 0 ? 0 : first + clusterCount - 1);
        List<BackendView> out = new ArrayList<>(total);
        for (int slot = 1; slot <= total; slot++) {
            long s = base + (long) slot * BACKEND_BYTES;
            int f = region.get(INT, s + BACKEND_FLAGS);
            out.add(new BackendView(slot, new IpAddress(region.get(LONG, s + BACKEND_ADDRESS_HI), region.get(LONG, s + BACKEND_ADDRESS_LO)),
                    region.get(INT, s + BACKEND_PORT), region.get(INT, s + BACKEND_ID),
                    (f & BACKEND_LOCAL) != 0, (f & BACKEND_TERMINATING) != 0,
                    clusterCount > 0 && slot >= first && slot < first + clusterCount, slot <= localCount));
        }
        return out;
    }

    /** The backend slot Maglev gives a flow hash (cluster or local set), 0 when that set is empty. */
    public int maglevSlot(int frontend, int flowHash, boolean localSet) {
        int count = localSet ? field(frontend, LOCAL_COUNT) : field(frontend, CLUSTER_COUNT);
        int sizeM = field(frontend, MAGLEV_SIZE_M);
        boolean hasLocalTable = (field(frontend, FLAGS) & (FLAG_EXTERNAL_POLICY_LOCAL | FLAG_INTERNAL_POLICY_LOCAL)) != 0;
        if (count == 0 || (localSet && !hasLocalTable)) {
            return 0;
        }
        int widthLog2 = field(frontend, MAGLEV_ENTRY_WIDTH_LOG2);
        long table = field(frontend, MAGLEV_BLOCK) + (localSet ? PackedMaglev.bytesFor(sizeM, widthLog2) : 0);
        return 1 + PackedMaglev.get(region, table, MaglevTable.entryIndex(flowHash, sizeM), widthLog2);
    }

    /** log2 of the width in bits of a frontend's Maglev entries (1: 2 bits ... 4: 16 bits; 0 without backends). */
    public int maglevEntryWidthLog2(int frontend) {
        return field(frontend, MAGLEV_ENTRY_WIDTH_LOG2);
    }

    /** Bytes of the off-heap region (buckets, backend records, Maglev blocks) plus the source ranges, for metrics. */
    public long footprintBytes() {
        return region.byteSize() + (long) ranges.length * 8 + (long) frontendIds.length * 4 + (long) records.length * 4;
    }

    /** Whether the kernel was asked to back the region with 2 MiB pages ({@code madvise(MADV_HUGEPAGE)}). */
    public boolean hugePagesAdvised() {
        return memory.hugePagesAdvised();
    }

    /**
     * Frees the off-heap region now (idempotent). Only for the owner of the generation once no
     * reader can still use it (the fast path's generation reclaimer): a read afterwards fails
     * with an {@link IllegalStateException} (the arena is closed), never reads freed memory.
     */
    public void free() {
        memory.free();
    }

    /** Whether {@link #free()} (or the cleaner) freed the region. */
    public boolean freed() {
        return memory.freed();
    }

    /** Table regions allocated and not freed yet, in this JVM (for tests and metrics). */
    public static long liveRegions() {
        return TableMemory.liveRegions();
    }

    /** Bytes of the table regions allocated and not freed yet, in this JVM (for tests and metrics). */
    public static long liveRegionBytes() {
        return TableMemory.liveBytes();
    }
}
