package io.isthmus.fastpath.xsk;

import io.isthmus.fastpath.linux.XdpDesc;

import java.lang.foreign.MemorySegment;

/**
 * The RX ring of one socket: the kernel hands us received frames as {@code xdp_desc}
 * ({@link XdpDesc}: UMEM address, length). Thread-safety: the port's worker only.
 */
public final class RxRing extends ConsumerRing {
    RxRing(MemorySegment mapping, long producerOffset, long consumerOffset, long flagsOffset, long descOffset, int size) {
        super("rx", mapping, producerOffset, consumerOffset, flagsOffset, descOffset, size);
    }

    private long entry(int i) {
        return descOffset + (long) ((cachedConsumer + i) & mask) * XdpDesc.SIZE;
    }

    /** The UMEM address of the {@code i}-th ready frame (0 ≤ i < {@link #peek}); may point past the frame start (headroom). */
    public long address(int i) {
        return (long) XdpDesc.ADDR.get(mapping, entry(i));
    }

    /** The options of the {@code i}-th ready frame: {@code XDP_PKT_CONTD} when the next descriptor continues its packet. */
    public int options(int i) {
        return (int) XdpDesc.OPTIONS.get(mapping, entry(i));
    }

    /** The length in bytes of the {@code i}-th ready frame. */
    public int length(int i) {
        return (int) XdpDesc.LEN.get(mapping, entry(i));
    }
}
