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

    /** Gives {@code count} consumed entries back to the kernel (release store). */
    public final void release(int count) {
        cachedConsumer += count;
        U32.setRelease(mapping, consumerOffset, cachedConsumer);
    }
}
