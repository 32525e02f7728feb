package io.isthmus.fastpath.xsk;

import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The UMEM fill ring of one socket: we give the kernel empty frames (u64 UMEM addresses) to
 * receive into. Thread-safety: the port's worker only.
 */
public final class FillRing extends ProducerRing {
    FillRing(MemorySegment mapping, long producerOffset, long consumerOffset, long flagsOffset, long descOffset, int size) {
        super("fill", mapping, producerOffset, consumerOffset, flagsOffset, descOffset, size);
    }

    /** Writes one free frame (caller checked {@link #free}); published by {@link #submit()}. */
    public void put(long frameAddress) {
        mapping.set(JAVA_LONG, descOffset + (long) (reserveIndex() & mask) * 8L, frameAddress);
    }
}
