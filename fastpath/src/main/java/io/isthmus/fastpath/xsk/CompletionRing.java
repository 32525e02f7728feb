package io.isthmus.fastpath.xsk;

import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The UMEM completion ring of one socket: the kernel gives back the addresses of frames it has
 * transmitted. Thread-safety: the port's worker only.
 */
public final class CompletionRing extends ConsumerRing {
    CompletionRing(MemorySegment mapping, long producerOffset, long consumerOffset, long flagsOffset, long descOffset, int size) {
        super("completion", mapping, producerOffset, consumerOffset, flagsOffset, descOffset, size);
    }

    /** The address of the {@code i}-th ready entry (0 ≤ i < {@link #peek}). */
    public long address(int i) {
        return mapping.get(JAVA_LONG, descOffset + (long) ((cachedConsumer + i) & mask) * 8L);
    }
}
