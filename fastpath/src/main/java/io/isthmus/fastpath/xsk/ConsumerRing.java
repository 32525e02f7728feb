package io.isthmus.fastpath.xsk;

import java.lang.foreign.MemorySegment;

/**
 * A ring the kernel produces into and we consume (RX, completion). {@link #peek} says how many
 * entries are ready from {@link #cachedConsumer}; after reading them {@link #release} hands the
 * slots back with one release store of the consumer index.
 */
abstract sealed class ConsumerRing extends XskRing permits RxRing, CompletionRing {
    int cachedConsumer;
    int cachedProducer;

    ConsumerRing(String name, MemorySegment mapping, long producerOffset, long consumerOffset, long flagsOffset,
                 long descOffset, int size) {
        super(name, mapping, producerOffset, consumerOffset, flagsOffset, descOffset, size);
        this.cachedConsumer = loadAcquireConsumer();
        this.cachedProducer = loadAcquireProducer();
    }

    /** How many entries (at most {@code max}) are ready, starting at ring index {@link #cachedConsumer}. */
    public final int peek(int max) {
        int ready = cachedProducer - cachedConsumer;
        if (ready == 0) {
            cachedProducer = loadAcquireProducer();
            ready = cachedProducer - cachedConsumer;
        }
        return Math.min(ready, max);
    }

    /**
     * Reloads the kernel's producer index (acquire) even though cached entries remain: for a reader
     * that found the cached entries end in the middle of a multi-buffer packet and must see the
     * rest once the kernel publishes it.
     */
    public final void refreshProducer() {
        cachedProducer = loadAcquireProducer();
    }

    /** Gives {@code count} consumed entries back to the kernel (release store). */
    public final void release(int count) {
        cachedConsumer += count;
        U32.setRelease(mapping, consumerOffset, cachedConsumer);
    }
}
