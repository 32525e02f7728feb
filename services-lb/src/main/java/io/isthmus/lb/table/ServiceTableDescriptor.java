package io.isthmus.lb.table;

/**
 * Layout of a compiled service table, after Cilium's lb4_service map: the frontend's hash bucket
 * holds its key and its slot 0 (the "master": backend counts, flags, affinity timeout, where its
 * Maglev table and backends are), so a lookup and everything a decision needs before it picks a
 * backend are one 64-byte cache line. Slots 1..n are the backends.
 *
 * <pre>
 *  buckets (off-heap, 64-byte aligned), one 64-byte bucket per frontend; frontend id = bucket index
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
 *  |                    cluster backend set size                   | +32                   |  slot 0
 *  |        local backend set size (always slots 1..count)         | +36                   |
 *  |             Maglev table size M (0: no backends)              | +40                   |
 *  |           Maglev block offset in maglev[] (-1: none)          | +44                   |
 *  |        index in backends[] of slot 1 (-1: no backends)        | +48                   |
 *  |         source-range block offset in ranges[] (-1: none)      | +52                   |
 *  |        service port id (stable across table generations)      | +56                  /
 *  |                          reserved, 0                          | +60
 *  +---------------------------------------------------------------+
 *
 *  backends[] (int), slot i (1 &lt;= i &lt;= n) at BACKEND_BASE + (i - 1) * BACKEND_INTS
 *  +---------------------------------------------------------------+
 *  |           backend address bits 127..96 (IPv4-mapped for v4)   | +0
 *  |                    address bits 95..64                        | +1
 *  |                    address bits 63..32                        | +2
 *  |                    address bits 31..0                         | +3
 *  |                    backend port                               | +4 BACKEND_PORT
 *  |           backend flags (BACKEND_LOCAL, BACKEND_TERMINATING)  | +5 BACKEND_FLAGS
 *  |           backend id (stable across table generations)        | +6 BACKEND_ID
 *  |                    reserved, 0                                | +7
 *  +---------------------------------------------------------------+
 *  Backend order: [local only][local and cluster][cluster only], so that both sets are
 *  contiguous: local = slots 1..LOCAL_COUNT, cluster = CLUSTER_FIRST_SLOT..+CLUSTER_COUNT-1.
 *  (Kube-proxy picks the sets independently: the local set may hold serving-terminating local
 *  endpoints while the cluster set holds ready remote ones.) All frontends of a service port and
 *  family share one run of backend slots and one Maglev block.
 *
 *  maglev[] (char: slot numbers fit 16 bits, and half the bytes means fewer cache and TLB misses),
 *  one block per service port and family:
 *  +------------------------------+------------------------------+
 *  | M cluster entries (slot nos) | M local entries (if present) |
 *  +------------------------------+------------------------------+
 *
 *  ranges[] (long), one block per service and family with loadBalancerSourceRanges:
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

    /** The KEY_TAG bit that marks a bucket in use. */
    public static final int KEY_TAG_OCCUPIED = 1 << 24;

    // backend slots
    public static final int BACKEND_INTS = 8;
    /** Maglev entries are 16-bit slot numbers: a frontend has at most this many backends. */
    public static final int MAX_BACKEND_SLOTS = 65_535;
    public static final int BACKEND_PORT = 4;
    public static final int BACKEND_FLAGS = 5;
    public static final int BACKEND_ID = 6;

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
