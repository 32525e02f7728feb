package io.isthmus.fastpath.port;

import io.isthmus.fastpath.pipeline.PacketBatch;

/**
 * What sits in a worker's free port slot: receives nothing, refuses every frame (the caller keeps
 * and drops it), flushes nothing. Lets stages index ports by id with no null check while slots
 * come and go.
 *
 * <p><b>Thread-safety:</b> stateless apart from its counters (always zero but for refused frames).
 */
public final class EmptyPort implements Port {
    private final int id;
    private final PortCounters counters = new PortCounters();

    public EmptyPort(int id) {
        this.id = id;
    }

    @Override
    public int id() {
        return id;
    }

    @Override
    public String name() {
        return "(free slot " + id + ")";
    }

    @Override
    public int receive(PacketBatch batch) {
        return 0;
    }

    @Override
    public boolean transmit(long address, int lengthBytes) {
        counters.add(PortCounters.Counter.TX_RING_FULL, 1);
        return false;
    }

    @Override
    public int flush() {
        return 0;
    }

    @Override
    public PortCounters counters() {
        return counters;
    }

    /** True for a free slot. */
    @Override
    public boolean isEmpty() {
        return true;
    }

    @Override
    public void close() {
    }
}
