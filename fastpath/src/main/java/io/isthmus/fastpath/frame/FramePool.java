package io.isthmus.fastpath.frame;

import java.util.Arrays;

/**
 * The free frames of one {@link FrameMemory}: a LIFO stack of frame base addresses (LIFO keeps
 * recently used frames warm in cache), and the links of frame chains.
 *
 * <p>A <b>chain</b> is a packet longer than a frame kept as the frames it was received in (a TCP
 * super-packet from a multi-buffer AF_XDP socket): the batch holds its first frame (the head) with
 * the packet's total length, and the pool remembers, per frame, the next frame of its chain and
 * the bytes of the packet in each frame. Releasing a head releases its whole chain, so every place
 * that drops or completes a frame (a stage's drop, a TX completion, a port's reclaim) frees a chain
 * without knowing it is one.
 *
 * <pre>
 *   index = address &gt;&gt;&gt; log2(frameSizeBytes)
 *   next[head] ─▶ a1 ; next[a1] ─▶ a2 ; ... ; next[an] = NO_LINK      (descriptor addresses)
 *   length[head], length[a1], ... : the packet's bytes in each frame
 *   release(head): head, a1, ..., an back on the stack, links cleared
 * </pre>
 *
 * <p><b>Thread-safety:</b> none, by design. One worker owns the pool and is its only reader and
 * writer; ports of that worker take frames from it (to fill their fill rings) and give frames back
 * to it (completed TX, drops). Allocation-free after construction.
 */
public final class FramePool {
    /** The link of a frame that is the last of its chain, or in no chain. */
    public static final long NO_LINK = -1L;

    private final FrameMemory memory;
    private final long[] free;
    private final long[] next;
    private final int[] linkLength;
    private final int frameShift;
    private int count;
    /** Chains made and not yet released: while 0 (no multi-buffer traffic), release reads no link. */
    private int liveChains;

    /** A pool that owns every frame of {@code memory}. */
    public FramePool(FrameMemory memory) {
        this.memory = memory;
        this.free = new long[memory.frameCount()];
        this.next = new long[memory.frameCount()];
        this.linkLength = new int[memory.frameCount()];
        this.frameShift = Integer.numberOfTrailingZeros(memory.frameSizeBytes());
        Arrays.fill(next, NO_LINK);
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

    /** Gives back the frame that contains {@code address} (any offset inside the frame), and the rest of its chain if it heads one. */
    public void release(long address) {
        free[count++] = memory.frameBase(address);
        if (liveChains != 0) {
            releaseLinks((int) (address >>> frameShift));
        }
    }

    /** The links after frame {@code index} (already released), if it heads a chain. */
    private void releaseLinks(int index) {
        long link = next[index];
        if (link == NO_LINK) {
            return;
        }
        liveChains--;
        while (link != NO_LINK) {
            next[index] = NO_LINK;
            index = (int) (link >>> frameShift);
            free[count++] = memory.frameBase(link);
            link = next[index];
        }
    }

    /**
     * Makes the frames {@code address[0..frameCount)} (descriptor addresses, each with
     * {@code length[k]} bytes of the packet) one chain headed by {@code address[0]}; they are the
     * caller's (taken from a ring), and from now on releasing the head releases them all.
     */
    public void chain(long[] address, int[] length, int frameCount) {
        if (frameCount > 1) {
            liveChains++;
        }
        for (int k = 0; k < frameCount; k++) {
            final int index = (int) (address[k] >>> frameShift);
            linkLength[index] = length[k];
            next[index] = k + 1 < frameCount ? address[k + 1] : NO_LINK;
        }
    }

    /** True when the frame at {@code address} heads (or continues) a chain of more than one frame. */
    public boolean isChained(long address) {
        return next[(int) (address >>> frameShift)] != NO_LINK;
    }

    /**
     * Copies the chain headed by {@code head} into {@code address}/{@code length} (at most
     * {@code capacity} frames); returns its frame count, or -1 when it is longer than
     * {@code capacity}. A frame in no chain reads as a chain of one with length 0 (not a chain: check
     * {@link #isChained} first).
     */
    public int chainOf(long head, long[] address, int[] length, int capacity) {
        long frame = head;
        int k = 0;
        while (frame != NO_LINK) {
            if (k == capacity) {
                return -1;
            }
            final int index = (int) (frame >>> frameShift);
            address[k] = frame;
            length[k] = linkLength[index];
            k++;
            frame = next[index];
        }
        return k;
    }

    public int available() {
        return count;
    }

    public int capacity() {
        return free.length;
    }
}
