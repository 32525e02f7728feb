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
 * <p>Per-packet metadata that the parse stage fills in for the stages after it (like VPP's buffer
 * opaque): {@code l3Offset[i]} (offset of the IP/ARP header from the frame start), {@code
 * l4Offset[i]} (offset of the transport header, 0 when none) and {@code etherType[i]} (the payload
 * EtherType). {@code key[i]} and {@code scratch[i]} carry values from one pass of a stage to its
 * next pass (a lookup key, a hash slot) and mean nothing between stages.
 *
 * <pre>
 *   index:      0      1      2    ...   size-1 | size ... CAPACITY-1
 *   address:  [ a0 ] [ a1 ] [ a2 ] ...  [ an ]  |  (stale, not owned)
 *   a drop at i: entries i+1..size-1 move down in order (compaction), size shrinks by one
 * </pre>
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
    public final int[] l3Offset = new int[CAPACITY];
    public final int[] l4Offset = new int[CAPACITY];
    public final int[] etherType = new int[CAPACITY];
    public final int[] scratch = new int[CAPACITY];
    public final int[] key = new int[CAPACITY];

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
        l3Offset[i] = 0;
        l4Offset[i] = 0;
        etherType[i] = 0;
        return i;
    }

    /** Copies entry {@code from} over entry {@code to} (compaction; {@code to <= from}). */
    public void move(int from, int to) {
        address[to] = address[from];
        length[to] = length[from];
        ingressPort[to] = ingressPort[from];
        egressPort[to] = egressPort[from];
        l3Offset[to] = l3Offset[from];
        l4Offset[to] = l4Offset[from];
        etherType[to] = etherType[from];
        scratch[to] = scratch[from];
        key[to] = key[from];
    }

    /** Sets the number of live entries after a stage compacted the batch in place. */
    public void size(int newSize) {
        this.size = newSize;
    }
}
