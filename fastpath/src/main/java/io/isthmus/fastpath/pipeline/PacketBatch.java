package io.isthmus.fastpath.pipeline;

import io.isthmus.fastpath.frame.FrameMemory;

import java.lang.foreign.MemorySegment;

/**
 * Up to {@link #CAPACITY} frames that travel through the stages together (structure of arrays,
 * so a stage can work in passes: parse all, look up all, act on all).
 *
 * <p>Entry {@code i} is the frame at byte offset {@code address[i]} of {@link #memory()}'s segment,
 * {@code length[i]} bytes long, received on port {@code ingressPort[i]}; stages set
 * {@code egressPort[i]}. A stage that drops a packet marks it ({@link #markDrop}) and ends with
 * {@link PipelineContext#sweepDrops}, which counts each marked drop, returns its frame to the
 * worker's pool (a frame is in exactly one batch or ring) and compacts the survivors in order.
 *
 * <p>Per-packet metadata (like VPP's buffer opaque), each written by one stage for the ones after:
 * <ul>
 *   <li>parse: {@code l3Offset[i]} (IP/ARP header from the frame start), {@code l4Offset[i]}
 *       (transport header, 0 when none), {@code etherType[i]};</li>
 *   <li>conntrack: {@code flowState[i]} ({@link FlowState}), the flow's tuple as it arrived
 *       ({@code flowSrc/flowDst} IPv4, {@code flowPorts} = source port &lt;&lt; 16 | destination
 *       port, {@code flowProto}), {@code flowHash[i]}, and for a hit the entry's node
 *       {@code ctRef[i]}, {@code ctSeqZone[i]} and {@code ctOutPort[i]} (the port its first packet came in on);</li>
 *   <li>service DNAT: {@code flowFlags[i]} ({@link FlowFlags}: DNAT, SNAT wanted, hairpin,
 *       generated reply) and {@code serviceId[i]} (the stable service port id, 0 when none);</li>
 *   <li>{@code key[i]} and {@code scratch[i]} carry values from one pass of a stage to its next
 *       pass (a lookup key, a hash slot) and mean nothing between stages.</li>
 * </ul>
 * {@link #add} writes only what the receive side knows; every other field is written by its stage
 * before anyone reads it (the conntrack stage sets flow metadata for every packet), so nothing is
 * zeroed per packet.
 *
 * <pre>
 *   index:      0      1      2    ...   size-1 | size ... CAPACITY-1
 *   address:  [ a0 ] [ a1 ] [ a2 ] ...  [ an ]  |  (stale, not owned)
 *   dropMask:   bit i set = packet i leaves at the stage's sweep
 *   sweep: survivors move down in order (compaction), size = survivors
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

    public final int[] flowState = new int[CAPACITY];
    public final int[] flowFlags = new int[CAPACITY];
    public final int[] flowHash = new int[CAPACITY];
    public final int[] flowSrc = new int[CAPACITY];
    public final int[] flowDst = new int[CAPACITY];
    public final int[] flowPorts = new int[CAPACITY];
    public final int[] flowProto = new int[CAPACITY];
    public final int[] ctRef = new int[CAPACITY];
    public final int[] ctSeqZone = new int[CAPACITY];
    /** Conntrack hit: the port the connection's first packet came in on (the entry's decision); NO_PORT otherwise. */
    public final int[] ctOutPort = new int[CAPACITY];
    public final int[] serviceId = new int[CAPACITY];

    /** Why packet {@code i} is marked to leave ({@link DropReason}); meaningful only with its bit in the drop mask. */
    private final DropReason[] dropReason = new DropReason[CAPACITY];
    private long dropMask;
    private long leftMask;

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
        dropMask = 0;
        leftMask = 0;
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

    /** Marks packet {@code i} to be dropped for {@code reason} at the stage's {@link PipelineContext#sweepDrops}. */
    public void markDrop(int i, DropReason reason) {
        dropReason[i] = reason;
        dropMask |= 1L << i;
    }

    /**
     * Marks packet {@code i} as gone already: its frame was handed elsewhere (transmitted by the
     * stage, copied to the punt queue and released, or dropped with {@link PipelineContext#drop}).
     * The stage's {@link PipelineContext#sweepDrops} removes it without counting or releasing it.
     */
    public void markLeft(int i) {
        leftMask |= 1L << i;
    }

    /** True when packet {@code i} is marked to be dropped. */
    public boolean isMarked(int i) {
        return (dropMask & (1L << i)) != 0;
    }

    long dropMask() {
        return dropMask;
    }

    long leftMask() {
        return leftMask;
    }

    DropReason dropReason(int i) {
        return dropReason[i];
    }

    void clearDropMask() {
        dropMask = 0;
        leftMask = 0;
    }

    /** Copies entry {@code from} over entry {@code to} (compaction; {@code to <= from}). */
    void move(int from, int to) {
        address[to] = address[from];
        length[to] = length[from];
        ingressPort[to] = ingressPort[from];
        egressPort[to] = egressPort[from];
        l3Offset[to] = l3Offset[from];
        l4Offset[to] = l4Offset[from];
        etherType[to] = etherType[from];
        scratch[to] = scratch[from];
        key[to] = key[from];
        flowState[to] = flowState[from];
        flowFlags[to] = flowFlags[from];
        flowHash[to] = flowHash[from];
        flowSrc[to] = flowSrc[from];
        flowDst[to] = flowDst[from];
        flowPorts[to] = flowPorts[from];
        flowProto[to] = flowProto[from];
        ctRef[to] = ctRef[from];
        ctSeqZone[to] = ctSeqZone[from];
        ctOutPort[to] = ctOutPort[from];
        serviceId[to] = serviceId[from];
    }

    /** Sets the number of live entries (after a sweep, or 0 after TX). */
    public void size(int newSize) {
        this.size = newSize;
    }
}
