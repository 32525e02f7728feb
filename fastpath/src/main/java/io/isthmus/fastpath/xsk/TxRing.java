package io.isthmus.fastpath.xsk;

import io.isthmus.fastpath.linux.XdpDesc;

import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The TX ring of one socket: we hand the kernel frames to send as {@code xdp_desc}. Written
 * entries are published by {@link #submit()} (at the port's flush). Thread-safety: the port's
 * worker only.
 */
public final class TxRing extends ProducerRing {
    TxRing(MemorySegment mapping, long producerOffset, long consumerOffset, long flagsOffset, long descOffset, int size) {
        super("tx", mapping, producerOffset, consumerOffset, flagsOffset, descOffset, size);
    }

    /** Writes one frame to send (caller checked {@link #free}). */
    public void put(long address, int lengthBytes) {
        final long entry = descOffset + (long) (reserveIndex() & mask) * XdpDesc.SIZE;
        mapping.set(JAVA_LONG, entry + XdpDesc.ADDR_OFFSET, address);
        mapping.set(JAVA_INT, entry + XdpDesc.LEN_OFFSET, lengthBytes);
        mapping.set(JAVA_INT, entry + XdpDesc.OPTIONS_OFFSET, 0);
    }
}
