package io.isthmus.fastpath.xsk;

import java.lang.foreign.MemorySegment;

/**
 * A ring we produce into and the kernel consumes (fill, TX). Entries are written at
 * {@link #reserveIndex} positions, then {@link #submit()} publishes them all with one release
 * store of the producer index.
 *
 * <pre>
 *   consumer (kernel)        cachedProducer - published    cachedProducer
 *        |<---- in flight in the kernel ---->|<--- written, not submitted --->|<--- free --->|
 * </pre>
 */
abstract sealed class ProducerRing extends XskRing permits FillRing, TxRing {
    /** Our producer index, including reserved entries not yet submitted. */
    int cachedProducer;
    /** The last consumer index we saw plus {@code size}: {@code cachedConsumerEnd - cachedProducer} entries are free. */
    int cachedConsumerEnd;
    /** The producer index the kernel has been shown. */
    int published;

    ProducerRing(String name, MemorySegment mapping, long producerOffset, long consumerOffset, long flagsOffset,
                 long descOffset, int size) {
        super(name, mapping, producerOffset, consumerOffset, flagsOffset, descOffset, size);
        this.cachedProducer = loadAcquireProducer();
        this.published = cachedProducer;
        this.cachedConsumerEnd = loadAcquireConsumer() + size;
    }

    /** How many entries can be written (at most {@code wanted} checked against the shared index). */
    public final int free(int wanted) {
        int free = cachedConsumerEnd - cachedProducer;
        if (free < wanted) {
            cachedConsumerEnd = loadAcquireConsumer() + size;
            free = cachedConsumerEnd - cachedProducer;
        }
        return free;
    }

    /** Claims the next entry (caller checked {@link #free}); returns its ring index. */
    final int reserveIndex() {
        return cachedProducer++;
    }

    /** Publishes every reserved entry to the kernel (release store). Returns how many were published. */
    public final int submit() {
        final int count = cachedProducer - published;
        if (count != 0) {
            U32.setRelease(mapping, producerOffset, cachedProducer);
            published = cachedProducer;
        }
        return count;
    }

    /** Entries submitted and not yet consumed by the kernel (reads the shared consumer index). */
    public final int outstanding() {
        return published - loadAcquireConsumer();
    }
}
