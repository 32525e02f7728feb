package io.isthmus.slowpath.controlplane;

import java.util.BitSet;

/**
 * Hands out node ports from a range (default 30000-32767), lowest free first, never one that is
 * held. A port is held per protocol-independent number, as the API server does.
 *
 * <p><b>Thread-safety:</b> none; {@link ServiceAllocation} calls it under the API server's write lock.
 */
public final class NodePortAllocator {
    public static final int DEFAULT_FIRST = 30000;
    public static final int DEFAULT_LAST = 32767;

    private final int first;
    private final int last;
    private final BitSet held = new BitSet();

    public NodePortAllocator(int first, int last) {
        if (first < 1 || last > 65535 || first > last) {
            throw new IllegalArgumentException("node port range " + first + "-" + last + " is not within 1-65535");
        }
        this.first = first;
        this.last = last;
    }

    /** The lowest free port, now held; 0 when the range is full. */
    public int allocate() {
        final int offset = held.nextClearBit(0);
        if (first + offset > last) {
            return 0;
        }
        held.set(offset);
        return first + offset;
    }

    /** Holds a requested port; returns why not, or null. */
    public String reserve(int port) {
        if (port < first || port > last) {
            return "provided port " + port + " is not in the valid range " + first + "-" + last;
        }
        if (held.get(port - first)) {
            return "provided port " + port + " is already allocated";
        }
        held.set(port - first);
        return null;
    }

    public void release(int port) {
        if (port >= first && port <= last) {
            held.clear(port - first);
        }
    }

    public int heldCount() {
        return held.cardinality();
    }
}
