package io.isthmus.conntrack.nat;

/**
 * The SNAT port allocators of a node, one per (node address, protocol). Registered at start
 * (the node has a handful of addresses); looked up by a linear scan, no allocation.
 *
 * <p>Thread-safety: {@link #register} only before the workers start (the pool is then
 * published with the table); {@link #allocate}, {@link #release} and {@link #markUsed} from any
 * thread (they delegate to lock-free allocators).
 */
public final class SnatPortPool {

    private static final int MAX_POOLS = 64;

    private final long[] addressHi = new long[MAX_POOLS];
    private final long[] addressLo = new long[MAX_POOLS];
    private final int[] proto = new int[MAX_POOLS];
    private final SnatPortAllocator[] allocators = new SnatPortAllocator[MAX_POOLS];
    private int count;

    public SnatPortPool register(long hi, long lo, int protocol, int firstPort, int lastPort) {
        if (find(hi, lo, protocol) != null) {
            throw new IllegalArgumentException("SNAT pool for " + io.isthmus.conntrack.Addresses.format(hi, lo)
                + " protocol " + protocol + " is already registered");
        }
        if (count == MAX_POOLS) {
            throw new IllegalStateException("at most " + MAX_POOLS + " SNAT pools");
        }
        addressHi[count] = hi;
        addressLo[count] = lo;
        proto[count] = protocol;
        allocators[count] = new SnatPortAllocator(firstPort, lastPort);
        count++;
        return this;
    }

    /** The allocator for this address and protocol, or null. */
    public SnatPortAllocator find(long hi, long lo, int protocol) {
        for (int i = 0; i < count; i++) {
            if (addressLo[i] == lo && addressHi[i] == hi && proto[i] == protocol) {
                return allocators[i];
            }
        }
        return null;
    }

    /** A port for a new connection, or -1 (no pool for this address, or exhausted). */
    public int allocate(long hi, long lo, int protocol, int hint) {
        final SnatPortAllocator allocator = find(hi, lo, protocol);
        return allocator == null ? -1 : allocator.allocate(hint);
    }

    public boolean release(long hi, long lo, int protocol, int port) {
        final SnatPortAllocator allocator = find(hi, lo, protocol);
        return allocator != null && allocator.release(port);
    }

    public boolean markUsed(long hi, long lo, int protocol, int port) {
        final SnatPortAllocator allocator = find(hi, lo, protocol);
        return allocator != null && allocator.take(port);
    }
}
