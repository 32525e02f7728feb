package io.isthmus.fastpath.port;

import io.isthmus.fastpath.frame.FramePool;

/**
 * The frames a port without a kernel ring (in-memory, pcap) has accepted for transmission and not
 * yet sent: they go out at the port's next {@link Port#flush()}. A full queue refuses the frame,
 * counted as {@code TX_RING_FULL}, like a full AF_XDP TX ring.
 *
 * <p><b>Thread-safety:</b> none; the port's worker is its only user. Allocation-free after construction.
 */
public final class PendingTransmits {
    private final long[] address;
    private final int[] length;
    private final PortCounters counters;
    private int count;

    public PendingTransmits(int capacityFrames, PortCounters counters) {
        this.address = new long[capacityFrames];
        this.length = new int[capacityFrames];
        this.counters = counters;
    }

    /** Queues a frame; false (and counted) when the queue is full, the frame then still the caller's. */
    public boolean offer(long frameAddress, int lengthBytes) {
        if (count == address.length) {
            counters.add(PortCounters.Counter.TX_RING_FULL, 1);
            return false;
        }
        address[count] = frameAddress;
        length[count] = lengthBytes;
        count++;
        return true;
    }

    public int count() {
        return count;
    }

    public long address(int index) {
        return address[index];
    }

    public int length(int index) {
        return length[index];
    }

    /** Forgets every queued frame (after the port sent them). */
    public void clear() {
        count = 0;
    }

    /** Gives every queued frame back to {@code pool} unsent (on close). */
    public void releaseAll(FramePool pool) {
        for (int i = 0; i < count; i++) {
            pool.release(address[i]);
        }
        count = 0;
    }
}
