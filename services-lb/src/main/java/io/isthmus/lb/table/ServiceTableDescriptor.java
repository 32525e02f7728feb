package io.isthmus.lb.table;

/**
 * Layout of the compiled service table's primitive arrays, after Cilium's lb4_service map: a
 * frontend owns a run of slots; slot 0 describes the frontend, slots 1..n are its backends.
 *
 * <pre>
 *  slots[] (int), SLOT_INTS = 8 ints = 32 bytes per slot; a frontend id is the index of its slot 0
 *
 *  slot 0 — the frontend ("master")
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                         flags (FLAG_*)                        | +0 FLAGS
 *  |                    affinity timeout, seconds                  | +1 AFFINITY_TIMEOUT_SECONDS
 *  |              first slot of the cluster backend set            | +2 CLUSTER_FIRST_SLOT
 *  |                    cluster backend set size                   | +3 CLUSTER_COUNT
 *  |        local backend set size (always slots 1..count)         | +4 LOCAL_COUNT
 *  |          Maglev table size M (0: no backends, no table)       | +5 MAGLEV_SIZE_M
 *  |             Maglev block offset in maglev[] (-1: none)        | +6 MAGLEV_BLOCK
 *  |          source-range block offset in ranges[] (-1: none)     | +7 SOURCE_RANGE_BLOCK
 *  +---------------------------------------------------------------+
 *
 *  slot i, 1 &lt;= i &lt;= total — a backend
 *  +---------------------------------------------------------------+
 *  |           backend address bits 127..96 (IPv4-mapped for v4)   | +0 ADDRESS_WORD_0
 *  |                    address bits 95..64                        | +1
 *  |                    address bits 63..32                        | +2
 *  |                    address bits 31..0                         | +3
 *  |                    backend port                               | +4 BACKEND_PORT
 *  |           backend flags (BACKEND_LOCAL, BACKEND_TERMINATING)  | +5 BACKEND_FLAGS
 *  |           backend id (stable across table generations)        | +6 BACKEND_ID
 *  |                    reserved, 0                                | +7
 *  +---------------------------------------------------------------+
 *
 *  Backend order: [local only][local and cluster][cluster only], so that both sets are
 *  contiguous runs: local = slots 1..LOCAL_COUNT, cluster = CLUSTER_FIRST_SLOT..+CLUSTER_COUNT-1.
 *  (Kube-proxy picks each set independently: the local set may hold serving-terminating local
 *  endpoints while the cluster set holds ready remote ones.)
 *
 *  maglev[] (int), one block per service port and family, shared by all its frontends:
 *  +-----------------+------------------------------+------------------------------+
 *  | service port id | M cluster entries (slot nos) | M local entries (if present) |
 *  +-----------------+------------------------------+------------------------------+
 *  (the service port id, stable across generations, keys the affinity table; it lives here,
 *  not in slot 0, so that slot 0 holds M and a decision touches one line of maglev[])
 *
 *  ranges[] (long), one block per frontend with loadBalancerSourceRanges:
 *  +-------+-------------------------------------------------------------+
 *  | count | count × (networkHi, networkLo, maskHi, maskLo)              |
 *  +-------+-------------------------------------------------------------+
 * </pre>
 */
public final class ServiceTableDescriptor {

    public static final int SLOT_INTS = 8;

    // slot 0
    public static final int FLAGS = 0;
    public static final int AFFINITY_TIMEOUT_SECONDS = 1;
    public static final int CLUSTER_FIRST_SLOT = 2;
    public static final int CLUSTER_COUNT = 3;
    public static final int LOCAL_COUNT = 4;
    public static final int MAGLEV_SIZE_M = 5;
    public static final int MAGLEV_BLOCK = 6;
    public static final int SOURCE_RANGE_BLOCK = 7;

    // backend slots
    public static final int ADDRESS_WORD_0 = 0;
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

    // maglev block
    public static final int MAGLEV_SERVICE_PORT_ID = 0;
    public static final int MAGLEV_ENTRIES = 1;

    // range block
    public static final int RANGE_COUNT = 0;
    public static final int RANGE_FIRST = 1;
    public static final int RANGE_LONGS = 4;

    public static int slotOffset(int frontend, int slot) {
        return frontend + slot * SLOT_INTS;
    }

    private ServiceTableDescriptor() {
    }
}
