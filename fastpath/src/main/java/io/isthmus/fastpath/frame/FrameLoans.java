package io.isthmus.fastpath.frame;

import java.util.Arrays;

/**
 * Which port lent each frame of a {@link FrameMemory} to the kernel: a frame put on a port's fill
 * or TX ring is marked with the port's id; a frame taken back from its RX or completion ring is
 * unmarked. A frame in the {@link FramePool}, in a batch or held by a stage is not marked.
 *
 * <p>This is what lets a port be detached without losing frames: once its socket is closed the
 * kernel no longer touches any frame, and every frame still marked with the port's id (on its
 * fill, RX, TX or completion ring, or inside the kernel's own free list, which no ring shows) goes
 * back to the pool with {@link #reclaim}.
 *
 * <pre>
 *   lender[frame index] = port id | NOT_LENT (0xFFFF)
 *   index = address &gt;&gt;&gt; log2(frameSizeBytes)        (any offset inside the frame maps to its frame)
 * </pre>
 *
 * <p><b>Thread-safety:</b> none, by design: like the pool, it belongs to the one worker that owns
 * the frames, which is the only thread that marks, unmarks and reclaims. Two bytes per frame.
 */
public final class FrameLoans {
    /** The mark of a frame no port has lent to the kernel. */
    public static final char NOT_LENT = 0xFFFF;

    private final char[] lender;
    private final int frameShift;

    public FrameLoans(FrameMemory memory) {
        this.lender = new char[memory.frameCount()];
        this.frameShift = Integer.numberOfTrailingZeros(memory.frameSizeBytes());
        Arrays.fill(lender, NOT_LENT);
    }

    /** Worker: port {@code portId} gives the frame at {@code address} to the kernel (fill or TX ring). */
    public void lend(long address, int portId) {
        lender[(int) (address >>> frameShift)] = (char) portId;
    }

    /** Worker: the kernel gave the frame at {@code address} back (RX or completion ring). */
    public void returned(long address) {
        lender[(int) (address >>> frameShift)] = NOT_LENT;
    }

    /** The port that lent the frame at {@code address}, or {@link #NOT_LENT}. */
    public int lenderOf(long address) {
        return lender[(int) (address >>> frameShift)];
    }

    /**
     * Worker, after port {@code portId}'s socket is closed: gives every frame it still had lent
     * back to {@code pool}; returns how many. O(frames); detach only.
     */
    public int reclaim(int portId, FramePool pool) {
        final char id = (char) portId;
        int reclaimed = 0;
        for (int frame = 0; frame < lender.length; frame++) {
            if (lender[frame] == id) {
                lender[frame] = NOT_LENT;
                pool.release((long) frame << frameShift);
                reclaimed++;
            }
        }
        return reclaimed;
    }

    /** Worker (or a test on the worker's thread): how many frames {@code portId} has lent now. */
    public int outstanding(int portId) {
        final char id = (char) portId;
        int count = 0;
        for (char mark : lender) {
            count += mark == id ? 1 : 0;
        }
        return count;
    }

    /** Worker: how many frames any port has lent now. */
    public int outstandingTotal() {
        int count = 0;
        for (char mark : lender) {
            count += mark != NOT_LENT ? 1 : 0;
        }
        return count;
    }
}
