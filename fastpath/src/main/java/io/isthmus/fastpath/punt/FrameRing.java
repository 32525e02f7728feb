package io.isthmus.fastpath.punt;

import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Off-heap memory for an Agrona ring buffer of frame records ({@link PuntDescriptor}): the data
 * area plus the ring's trailer, seen both as a {@link MemorySegment} (we copy frames in and out
 * with {@code MemorySegment.copy}) and as the {@link AtomicBuffer} the ring buffer works on.
 *
 * <p><b>Thread-safety:</b> the memory is shared between the ring's producer(s) and its consumer;
 * the ring buffer's own protocol (claim, commit, read) decides who may touch which record.
 * {@link #close()} frees it once neither side runs.
 */
final class FrameRing implements AutoCloseable {
    private final Arena arena = Arena.ofShared();
    private final MemorySegment memory;
    private final AtomicBuffer buffer;

    /** @param capacityBytes data area, a power of two that holds at least a few maximal frames */
    FrameRing(int capacityBytes) {
        if (Integer.bitCount(capacityBytes) != 1 || capacityBytes < 8 * (PuntDescriptor.MAX_FRAME_BYTES + 64)) {
            throw new IllegalArgumentException("ring capacity must be a power of two >= "
                    + 8 * (PuntDescriptor.MAX_FRAME_BYTES + 64) + " bytes (8 maximal frames), was " + capacityBytes);
        }
        this.memory = arena.allocate(capacityBytes + RingBufferDescriptor.TRAILER_LENGTH, 4096);
        this.buffer = new UnsafeBuffer(memory.address(), (int) memory.byteSize());
    }

    MemorySegment memory() {
        return memory;
    }

    AtomicBuffer buffer() {
        return buffer;
    }

    @Override
    public void close() {
        arena.close();
    }
}
