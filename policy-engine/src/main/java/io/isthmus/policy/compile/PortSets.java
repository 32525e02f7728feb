package io.isthmus.policy.compile;

/**
 * Reading a port set of a {@link PortSetPool} on the fast path. Most sets are one range (a port,
 * a range, all, none): {@code ranges[set]} holds {@code first << 16 | last} and answers without
 * touching the 8 KiB bitmap; sets of several ranges hold -1 there and are read from the bitmap.
 */
final class PortSets {
    private PortSets() {
    }

    static boolean contains(long[] ranges, long[] bitmaps, int setId, int port) {
        final long range = ranges[setId];
        if (range >= 0) {
            return port >= (int) (range >>> 16) && port <= (int) (range & 0xFFFF);
        }
        return ((bitmaps[(setId - 2) * PortSetPool.LONGS_PER_SET + ((port >>> 6) & 1023)] >>> (port & 63)) & 1) != 0;
    }

    static boolean contains(long[] bitmaps, int setId, int port) {
        if (setId <= PortSetPool.ALL) {
            return setId == PortSetPool.ALL;
        }
        return ((bitmaps[(setId - 2) * PortSetPool.LONGS_PER_SET + ((port >>> 6) & 1023)] >>> (port & 63)) & 1) != 0;
    }
}
