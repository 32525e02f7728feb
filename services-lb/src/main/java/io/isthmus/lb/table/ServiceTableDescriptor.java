package io.isthmus.lb.table;

/**
 * Layout of a compiled service table, after Cilium's lb4_service map: the frontend's hash bucket
 * holds its key and its slot 0 (the "master": backend counts, flags, affinity timeout, where its
 * Maglev table and backends are), so a lookup and everything a decision needs before it picks a
 * backend are one 64-byte cache line. Slots 1..n are the backends.
 *
 * <p>Everything a decision reads lives in one off-heap <em>region</em> per table generation
 * (64-byte aligned; {@link TableMemory} asks the kernel for 2 MiB pages where it can), so that a
 * decision's three reads — bucket, Maglev entry, backend record — are three lines of one small,
 * contiguous block, and with 10,000 Services the whole table is a few MiB (a handful of TLB
 * entries) rather than a bucket segment plus two heap arrays:
 *
 * <pre>
 *  region:  | buckets (capacity x 64 B) | backend lines of paired buckets (64 B each) |
 *           | backend records (32 B each) | Maglev blocks (packed) | 8 B pad |
 *           | cold records of compact frontends (64 B each, 64-byte aligned) |
 *
 *  bucket, one per frontend (64 bytes, 64-byte aligned); frontend id = bucket index
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                 address, hi word (long)                       | +0  ADDRESS_HI
 *  +                                                               +
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                 address, lo word (long)                       | +8  ADDRESS_LO
 *  +                                                               +
 *  |                                                               |
 *  +-------------+-+-------------------------------+---------------+
 *  |  0          |1|         port                  |   protocol    | +16 KEY_TAG (0: empty bucket)
 *  +-------------+-+-------------------------------+---------------+
 *  |                         flags (FLAG_*)                        | +20 FLAGS            \
 *  |                    affinity timeout, seconds                  | +24                   |
 *  |              first slot of the cluster backend set            | +28                   |
 *  |                    cluster backend set size                   | +32                   |
 *  |        local backend set size (always slots 1..count)         | +36                   |  slot 0
 *  |             Maglev table size M (0: no backends)              | +40                   |
 *  |   byte offset in the region of the Maglev block (-1: none)    | +44                   |
 *  |   byte offset in the region of slot 1's record (-1: none)     | +48                   |
 *  |         source-range block offset in ranges[] (-1: none)      | +52                   |
 *  |        service port id (stable across table generations)      | +56                   |
 *  |   log2 of the Maglev entry width in bits (1..4: 2..16 bits)   | +60                  /
 *  +---------------------------------------------------------------+
 *
 *
 *  compact bucket (FLAG_COMPACT): a frontend whose decision needs nothing but Maglev over at most
 *  3 IPv4 backends (no session affinity, no Local traffic policy, no source ranges) with M = 71
 *  (MaglevSizing.SMALL_SET_SIZE_M) holds the whole decision in its bucket, so that deciding it reads
 *  one cache line instead of three (bucket, Maglev entry, backend record). Bytes 0-23 as above, then:
 *  +---------------------------------------------------------------+
 *  |                 service port id                               | +24 COMPACT_SERVICE_PORT_ID
 *  |     backend 0 IPv4 address (int, as in the low word of the     | +28 COMPACT_BACKEND_IPV4
 *  |     IPv4-mapped address); backend 1 at +32; backend 2 at +36  |
 *  +-------------------------------+-------------------------------+
 *  |  backend 0 port (16 bits)     |  backend 1 port               | +40 COMPACT_BACKEND_PORT
 *  |  backend 2 port               |  Maglev entries ...           | +44, +46 COMPACT_MAGLEV
 *  |  ... 71 entries of 2 bits (backend 0..2), entry e in byte     |
 *  |  e / 4 at bit 2 * (e mod 4); 18 bytes, to +63                 |
 *  +---------------------------------------------------------------+
 *  Backend k of a compact bucket is cluster slot CLUSTER_FIRST_SLOT + k. The frontend's full slot 0,
 *  its backend records and its Maglev block are still laid out (in a "cold" record at the end of
 *  the region, in the bucket's format) for the read-back methods, dumps and backend ids; the fast
 *  path never reads them.
 *
 *  paired bucket (FLAG_PAIRED): a frontend that would be compact but for its size — at most 16 IPv4
 *  backends sharing one port, nothing but Maglev, M at most 60 + 2 * (64 - 4 * N) — holds its
 *  decision in its bucket and one 64-byte "backend line", so deciding it reads two lines instead of
 *  three (MaglevSizing gives sets of 4 to 16 backends the largest prime M that fits: 151 for 4, 107
 *  for 10, 59 for 16). Bytes 0-27 as in the compact bucket (service port id at +24), then:
 *  +---------------------------------------------------------------+
 *  | backend line (byte offset / 64, 24 bits)  |  Maglev M (8 bits)| +28 PAIRED_LINE_AND_M
 *  +-------------------------------+-------------------------------+
 *  |  backend port (16 bits, all)  |  Maglev entries 0..59, 4 bits | +32 PAIRED_BACKEND_PORT, +34 PAIRED_MAGLEV
 *  |  each: entry e in byte e / 2 at bit 4 * (e mod 2); to +63     |
 *  +---------------------------------------------------------------+
 *  backend line (64 bytes, 64-byte aligned; frontends of one service port share it):
 *  +---------------------------------------------------------------+
 *  |  Maglev entries 60..M-1, 4 bits each: entry e in byte          | +0
 *  |  (e - 60) / 2 at bit 4 * (e mod 2)                             |
 *  |  ...                         | backend N-1 IPv4 | ... | backend 0 IPv4 | backend k at +60 - 4k
 *  +---------------------------------------------------------------+
 *  Like a compact bucket, a paired one keeps its full slot 0, backend records and Maglev block in a
 *  cold record for read-backs, dumps and backend ids.
 *
 *  backend record, slot i (1 &lt;= i &lt;= n) at BACKEND_BASE + (i - 1) * BACKEND_BYTES
 *  (32 bytes, 32-byte aligned: a record never straddles two cache lines)
 *  +---------------------------------------------------------------+
 *  |       backend address, hi word (long; IPv4-mapped for v4)     | +0  BACKEND_ADDRESS_HI
 *  |       backend address, lo word (long)                         | +8  BACKEND_ADDRESS_LO
 *  |                    backend port                               | +16 BACKEND_PORT
 *  |           backend flags (BACKEND_LOCAL, BACKEND_TERMINATING)  | +20 BACKEND_FLAGS
 *  |           backend id (stable across table generations)        | +24 BACKEND_ID
 *  |                    reserved, 0                                | +28
 *  +---------------------------------------------------------------+
 *  Backend order: [local only][local and cluster][cluster only], so that both sets are
 *  contiguous: local = slots 1..LOCAL_COUNT, cluster = CLUSTER_FIRST_SLOT..+CLUSTER_COUNT-1.
 *  (Kube-proxy picks the sets independently: the local set may hold serving-terminating local
 *  endpoints while the cluster set holds ready remote ones.) All frontends of a service port and
 *  family share one run of backend records and one Maglev block.
 *
 *  Maglev block, one per service port and family (identical blocks are stored once):
 *  +---------------------------------------+---------------------------------------+
 *  | M cluster entries                     | M local entries (if present)          |
 *  +---------------------------------------+---------------------------------------+
 *  each entry is (slot number - 1) in the narrowest of 2, 4, 8 or 16 bits that holds the block's
 *  largest slot: entry e at bit e * width of the block, bits numbered from the least significant
 *  bit of each byte (read as a little-endian 16-bit window at byte e * width / 8, shifted right by
 *  (e * width) mod 8). The local entries start at byte ceil(M * width / 8). With 3 backends,
 *  M = 307 and 2-bit entries: 77 bytes instead of 614 (16-bit) or 1,228 (32-bit).
 *
 *  ranges[] (long, on the heap: only LoadBalancer frontends with source ranges read it):
 *  +-------+-------------------------------------------------------------+
 *  | count | count × (networkHi, networkLo, maskHi, maskLo)              |
 *  +-------+-------------------------------------------------------------+
 * </pre>
 */
public final class ServiceTableDescriptor {

    public static final int BUCKET_BYTES = 64;

    // bucket: key
    public static final long ADDRESS_HI = 0;
    public static final long ADDRESS_LO = 8;
    public static final long KEY_TAG = 16;
    // bucket: slot 0
    public static final long FLAGS = 20;
    public static final long AFFINITY_TIMEOUT_SECONDS = 24;
    public static final long CLUSTER_FIRST_SLOT = 28;
    public static final long CLUSTER_COUNT = 32;
    public static final long LOCAL_COUNT = 36;
    public static final long MAGLEV_SIZE_M = 40;
    public static final long MAGLEV_BLOCK = 44;
    public static final long BACKEND_BASE = 48;
    public static final long SOURCE_RANGE_BLOCK = 52;
    public static final long SERVICE_PORT_ID = 56;
    public static final long MAGLEV_ENTRY_WIDTH_LOG2 = 60;

    /** The KEY_TAG bit that marks a bucket in use. */
    public static final int KEY_TAG_OCCUPIED = 1 << 24;

    // backend records
    public static final int BACKEND_BYTES = 32;
    /** Maglev entries are at most 16-bit slot numbers: a frontend has at most this many backends. */
    public static final int MAX_BACKEND_SLOTS = 65_535;
    public static final long BACKEND_ADDRESS_HI = 0;
    public static final long BACKEND_ADDRESS_LO = 8;
    public static final long BACKEND_PORT = 16;
    public static final long BACKEND_FLAGS = 20;
    public static final long BACKEND_ID = 24;

    /** Bytes after the last Maglev block, so that the 16-bit window of the last entry stays inside the region. */
    public static final int REGION_PAD_BYTES = 8;

    // compact bucket
    public static final long COMPACT_SERVICE_PORT_ID = 24;
    public static final long COMPACT_BACKEND_IPV4 = 28;
    public static final long COMPACT_BACKEND_PORT = 40;
    public static final long COMPACT_MAGLEV = 46;
    public static final int COMPACT_MAX_BACKENDS = 3;
    /** Maglev entries a compact bucket holds (2 bits each, bytes 46..63), the largest prime M that fits. */
    public static final int COMPACT_SIZE_M = 71;

    // paired bucket and its backend line
    public static final long PAIRED_LINE_AND_M = 28;
    public static final long PAIRED_BACKEND_PORT = 32;
    public static final long PAIRED_MAGLEV = 34;
    /** Maglev entries a paired bucket holds itself (4 bits each, bytes 34..63); the rest are in its backend line. */
    public static final int PAIRED_BUCKET_ENTRIES = 60;
    /** Backend k's IPv4 address is at this offset of the backend line minus 4 k (the backends fill the line from its end). */
    public static final long PAIRED_LINE_BACKEND_0 = 60;
    public static final int PAIRED_MAX_BACKENDS = 16;
    /** The largest M a paired bucket takes (8 bits in PAIRED_LINE_AND_M). */
    public static final int PAIRED_MAX_SIZE_M = 255;

    /** The most Maglev entries a paired bucket and its line hold for {@code backends} backends (60 + 2 * (64 - 4 N)). */
    public static int pairedCapacity(int backends) {
        return PAIRED_BUCKET_ENTRIES + 2 * (BUCKET_BYTES - 4 * backends);
    }

    // frontend flags
    public static final int FLAG_CLUSTER_IP = 1;
    public static final int FLAG_NODE_PORT = 1 << 1;
    public static final int FLAG_EXTERNAL_IP = 1 << 2;
    public static final int FLAG_LOAD_BALANCER = 1 << 3;
    /** Frontends kube-proxy calls "external destinations": externalTrafficPolicy applies to them. */
    public static final int FLAG_EXTERNAL_SCOPE = FLAG_NODE_PORT | FLAG_EXTERNAL_IP | FLAG_LOAD_BALANCER;
    public static final int FLAG_AFFINITY_CLIENT_IP = 1 << 4;
    public static final int FLAG_EXTERNAL_POLICY_LOCAL = 1 << 5;
    public static final int FLAG_INTERNAL_POLICY_LOCAL = 1 << 6;
    public static final int FLAG_SOURCE_RANGES = 1 << 7;
    /** The bucket is a compact one (set in the bucket only, not in the cold record's flags). */
    public static final int FLAG_COMPACT = 1 << 8;
    /** The bucket is a paired one: its decision reads it and its backend line (bucket only, not the cold record). */
    public static final int FLAG_PAIRED = 1 << 9;
    /** Flags that need more than a compact bucket holds. */
    public static final int FLAGS_NOT_COMPACT = FLAG_AFFINITY_CLIENT_IP | FLAG_EXTERNAL_POLICY_LOCAL | FLAG_INTERNAL_POLICY_LOCAL | FLAG_SOURCE_RANGES;

    // backend flags
    public static final int BACKEND_LOCAL = 1;
    public static final int BACKEND_TERMINATING = 1 << 1;

    // range block
    public static final int RANGE_COUNT = 0;
    public static final int RANGE_FIRST = 1;
    public static final int RANGE_LONGS = 4;

    /** The KEY_TAG value of a key. */
    public static int keyTag(int port, int protocol) {
        return KEY_TAG_OCCUPIED | (port & 0xffff) << 8 | (protocol & 0xff);
    }

    private ServiceTableDescriptor() {
    }
}
