package io.isthmus.lb.table;

import io.isthmus.lb.affinity.AffinityBackend;

/**
 * The details of a {@link ServiceVerdict#FORWARD} decision: which backend, and whether the
 * source must be SNATed. A mutable out-parameter so that a decision allocates nothing.
 *
 * <p>Thread-safety: none. Each fast-path worker owns one instance and reuses it for every flow;
 * it is never shared.
 */
public final class ServiceDecision {

    private int frontend = -1;
    private long backendAddressHi;
    private long backendAddressLo;
    private int backendPort;
    private int backendId;
    private boolean snat;
    private boolean hairpin;
    private boolean affinityHit;
    private int servicePortId;
    /** For a compact frontend's decision the backend id is looked up when asked for (it is not in the bucket). */
    private boolean backendIdPending;
    private int compactBackend;
    /**
     * The table of the last compact decision (kept, not cleared, so that a decision stores no
     * reference). Valid only within the batch that made the decision: the generation may be freed
     * once the worker has moved on, so {@link #backendId()} checks it.
     */
    private ServiceTable compactTable;
    private final AffinityBackend affinityScratch = new AffinityBackend();

    /** The frontend the decision was made for (its slot 0 index), -1 before any. */
    public int frontend() {
        return frontend;
    }

    public long backendAddressHi() {
        return backendAddressHi;
    }

    public long backendAddressLo() {
        return backendAddressLo;
    }

    public int backendPort() {
        return backendPort;
    }

    /**
     * The backend's stable id (for a compact frontend read from the table's cold record now: not
     * for the fast path). Ask within the batch that made the decision (while its table generation
     * is held); for a compact decision whose generation was freed since, -1 (unknown) rather than
     * a read of freed memory.
     */
    public int backendId() {
        if (!backendIdPending) {
            return backendId;
        }
        final ServiceTable table = compactTable;
        return table.freed() ? -1 : table.compactBackendId(frontend, compactBackend);
    }

    /** The stable id of the frontend's service port (the affinity key; the fast path's {@code serviceId}). */
    public int servicePortId() {
        return servicePortId;
    }

    /**
     * True when the source must be rewritten to a node address: external traffic with
     * externalTrafficPolicy Cluster, non-pod traffic to a cluster IP, or hairpin.
     */
    public boolean snat() {
        return snat;
    }

    /** True when the chosen backend is the client itself (so SNAT is needed for the reply to come back). */
    public boolean hairpin() {
        return hairpin;
    }

    /** True when the backend came from the session-affinity table rather than Maglev. */
    public boolean affinityHit() {
        return affinityHit;
    }

    void reset(int frontendId) {
        this.frontend = frontendId;
        this.backendAddressHi = 0;
        this.backendAddressLo = 0;
        this.backendPort = 0;
        this.backendId = -1;
        this.snat = false;
        this.hairpin = false;
        this.affinityHit = false;
        this.servicePortId = 0;
        this.backendIdPending = false;
    }

    void setServicePortId(int id) {
        this.servicePortId = id;
    }

    void setCompactBackend(ServiceTable table, int k) {
        if (compactTable != table) {
            compactTable = table;
        }
        compactBackend = k;
        backendIdPending = true;
    }

    AffinityBackend affinityScratch() {
        return affinityScratch;
    }

    void setBackend(long addressHi, long addressLo, int port) {
        this.backendAddressHi = addressHi;
        this.backendAddressLo = addressLo;
        this.backendPort = port;
    }

    void setBackendId(int id) {
        this.backendId = id;
    }

    void setSnat(boolean value) {
        this.snat = value;
    }

    void setHairpin(boolean value) {
        this.hairpin = value;
    }

    void setAffinityHit(boolean value) {
        this.affinityHit = value;
    }
}
