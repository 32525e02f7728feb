package io.isthmus.lb.affinity;

/**
 * The backend an {@link AffinityTable} lookup found: a mutable out-parameter, so a lookup
 * allocates nothing.
 *
 * <p>Thread-safety: none; owned by one fast-path worker (inside its ServiceDecision).
 */
public final class AffinityBackend {

    long addressHi;
    long addressLo;
    int port;

    public long addressHi() {
        return addressHi;
    }

    public long addressLo() {
        return addressLo;
    }

    public int port() {
        return port;
    }
}
