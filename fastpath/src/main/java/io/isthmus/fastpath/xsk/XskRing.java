package io.isthmus.fastpath.xsk;

import io.isthmus.fastpath.linux.XdpConstants;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;

import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * One of the four single-producer single-consumer rings an AF_XDP socket shares with the kernel,
 * mapped from the socket ({@code mmap} at the ring's page offset). The producer and consumer
 * indexes are free-running {@code u32}s; entry {@code i} is at {@code desc + (i & mask) * entrySize}.
 *
 * <pre>
 *   mapping:  ... | producer (u32) | ... | consumer (u32) | ... | flags (u32) | ... | desc[size] |
 *                    ^ offsets from XDP_MMAP_OFFSETS, different per kernel
 * </pre>
 *
 * <p>Memory order: we read the other side's index with an acquire load (the entries it published
 * are then visible) and publish ours with a release store (our entries are visible before the
 * index). Each side keeps cached copies of both indexes and touches the shared ones only when the
 * cache says the ring is full / empty.
 *
 * <p><b>Thread-safety:</b> the user side of a ring has ONE thread: the worker of its port.
 */
abstract sealed class XskRing permits ConsumerRing, ProducerRing {
    static final VarHandle U32 = JAVA_INT.varHandle();

    final MemorySegment mapping;
    final long producerOffset;
    final long consumerOffset;
    final long flagsOffset;
    final long descOffset;
    final int size;
    final int mask;

    XskRing(String name, MemorySegment mapping, long producerOffset, long consumerOffset, long flagsOffset,
            long descOffset, int size) {
        if (Integer.bitCount(size) != 1) {
            throw new IllegalArgumentException(name + " ring size must be a power of two, was " + size);
        }
        this.mapping = mapping;
        this.producerOffset = producerOffset;
        this.consumerOffset = consumerOffset;
        this.flagsOffset = flagsOffset;
        this.descOffset = descOffset;
        this.size = size;
        this.mask = size - 1;
    }

    public final int size() {
        return size;
    }

    /** Acquire load of the shared producer index. */
    final int loadAcquireProducer() {
        return (int) U32.getAcquire(mapping, producerOffset);
    }

    /** Acquire load of the shared consumer index. */
    final int loadAcquireConsumer() {
        return (int) U32.getAcquire(mapping, consumerOffset);
    }

    /**
     * The kernel's "wake me up" flag for this ring ({@code XDP_RING_NEED_WAKEUP}, set only when the
     * socket was bound with {@code XDP_USE_NEED_WAKEUP}). A full fence first: our index store must
     * be visible before we read the flag, or we could miss a kernel that went to sleep in between.
     */
    public final boolean needsWakeup() {
        VarHandle.fullFence();
        return ((int) U32.getAcquire(mapping, flagsOffset) & XdpConstants.XDP_RING_NEED_WAKEUP) != 0;
    }
}
