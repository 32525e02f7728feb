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

    public int backendId() {
        return backendId;
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
