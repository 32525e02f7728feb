package io.isthmus.fastpath.pipeline;

import io.isthmus.fastpath.frame.FrameMemory;

import java.lang.foreign.MemorySegment;

/**
 * Up to {@link #CAPACITY} frames that travel through the stages together (structure of arrays,
 * so a stage can work in passes: parse all, look up all, act on all).
 *
 * <p>Entry {@code i} is the frame at byte offset {@code address[i]} of {@link #memory()}'s segment,
 * {@code length[i]} bytes long, received on port {@code ingressPort[i]}; stages set
 * {@code egressPort[i]}. A stage that drops a packet removes it from the batch (see the pipeline)
 * and returns its frame to the worker's pool: a frame is in exactly one batch or ring.
 *
 * <p><b>Thread-safety:</b> owned by one worker; reused for every batch, never shared.
 */
public final class PacketBatch {
    public static final int CAPACITY = 64;
    public static final int NO_PORT = -1;

    public final long[] address = new long[CAPACITY];
    public final int[] length = new int[CAPACITY];
    public final int[] ingressPort = new int[CAPACITY];
    public final int[] egressPort = new int[CAPACITY];

    private final FrameMemory memory;
    private final MemorySegment segment;
    private int size;

    public PacketBatch(FrameMemory memory) {
        this.memory = memory;
        this.segment = memory.segment();
    }

    public FrameMemory memory() {
        return memory;
    }

    /** The frame memory's whole segment; packet {@code i} starts at {@code address[i]}. */
    public MemorySegment segment() {
        return segment;
    }

    public int size() {
        return size;
    }

    public int free() {
        return CAPACITY - size;
    }

    public void clear() {
        size = 0;
    }

    /** Appends a received frame; the caller has checked {@link #free()}. Returns its index. */
    public int add(long frameAddress, int lengthBytes, int ingressPortId) {
        final int i = size++;
        address[i] = frameAddress;
        length[i] = lengthBytes;
        ingressPort[i] = ingressPortId;
        egressPort[i] = NO_PORT;
        return i;
    }

    /** Sets the number of live entries after a stage compacted the batch in place. */
    public void size(int newSize) {
        this.size = newSize;
    }
}
