package io.isthmus.fastpath.frame;

/**
 * The free frames of one {@link FrameMemory}: a LIFO stack of frame base addresses (LIFO keeps
 * recently used frames warm in cache).
 *
 * <p><b>Thread-safety:</b> none, by design. One worker owns the pool and is its only reader and
 * writer; ports of that worker take frames from it (to fill their fill rings) and give frames back
 * to it (completed TX, drops). Allocation-free after construction.
 */
public final class FramePool {
    private final FrameMemory memory;
    private final long[] free;
    private int count;

    /** A pool that owns every frame of {@code memory}. */
    public FramePool(FrameMemory memory) {
        this.memory = memory;
        this.free = new long[memory.frameCount()];
        for (int i = memory.frameCount() - 1; i >= 0; i--) {
            free[count++] = memory.frameAddress(i);
        }
    }

    public FrameMemory memory() {
        return memory;
    }

    /** A free frame's base address, or -1 when none is left. */
    public long acquire() {
        return count == 0 ? -1L : free[--count];
    }

    /** Gives back the frame that contains {@code address} (any offset inside the frame). */
    public void release(long address) {
        free[count++] = memory.frameBase(address);
    }

    public int available() {
        return count;
    }

    public int capacity() {
        return free.length;
    }
}
