package io.isthmus.policy.compile;

/**
 * Reading a port set of a {@link PortSetPool} bitmap array on the fast path: one array read.
 */
final class PortSets {
    private PortSets() {
    }

    static boolean contains(long[] bitmaps, int setId, int port) {
        if (setId <= PortSetPool.ALL) {
            return setId == PortSetPool.ALL;
        }
        return ((bitmaps[(setId - 2) * PortSetPool.LONGS_PER_SET + ((port >>> 6) & 1023)] >>> (port & 63)) & 1) != 0;
    }
}
