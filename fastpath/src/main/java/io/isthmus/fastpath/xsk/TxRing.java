package io.isthmus.fastpath.xsk;

import io.isthmus.fastpath.linux.XdpDesc;

import java.lang.foreign.MemorySegment;

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
        XdpDesc.ADDR.set(mapping, entry, address);
        XdpDesc.LEN.set(mapping, entry, lengthBytes);
        XdpDesc.OPTIONS.set(mapping, entry, 0);
    }
}
