package io.isthmus.fastpath.punt;

import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Frames the fast path cannot finish, on their way to the slow path: a bounded, allocation-free
 * ring of frame copies ({@link PuntDescriptor}) over off-heap memory (an Agrona
 * {@link OneToOneRingBuffer}). A stage {@link #offer}s a frame — it is copied out of the UMEM
 * frame with its ingress port, so the stage returns the frame to the pool at once — and a
 * slow-path thread {@link #drain}s the copies.
 *
 * <pre>
 *   worker (stage)                                   slow-path thread
 *   offer(umem, frame, len, port) ──▶ [ ring of port|len|bytes ] ──▶ drain(handler, limit)
 *            │ full: counted in droppedFrames(), the frame is dropped by the caller
 * </pre>
 *
 * <p>One queue per worker (the ingress port is an id of that worker); pair it with that worker's
 * {@link InjectQueue} to send replies back.
 *
 * <p><b>Thread-safety:</b> exactly one producer thread (the worker that owns the queue) calls
 * {@link #offer}; exactly one consumer thread calls {@link #drain}. The counters are written by the
 * producer only (release stores) and may be read from any thread (acquire loads).
 * {@link #close()} after both sides stopped.
 */
public final class PuntQueue implements AutoCloseable {
    /** Default ring size: room for about 500 DNS query frames (~100 B) or 60 full frames. */
    public static final int DEFAULT_CAPACITY_BYTES = 128 * 1024;

    private static final VarHandle PUNTED;
    private static final VarHandle DROPPED;

    static {
        try {
            final MethodHandles.Lookup lookup = MethodHandles.lookup();
            PUNTED = lookup.findVarHandle(PuntQueue.class, "puntedFrames", long.class);
            DROPPED = lookup.findVarHandle(PuntQueue.class, "droppedFrames", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final FrameRing ring;
    private final MemorySegment memory;
    private final RingBuffer buffer;
    private final Adapter adapter = new Adapter();
    @SuppressWarnings("unused") // through PUNTED
    private long puntedFrames;
    @SuppressWarnings("unused") // through DROPPED
    private long droppedFrames;

    public PuntQueue() {
        this(DEFAULT_CAPACITY_BYTES);
    }

    /** @param capacityBytes the ring's data area: a power of two of at least 8 maximal frames */
    public PuntQueue(int capacityBytes) {
        this.ring = new FrameRing(capacityBytes);
        this.memory = ring.memory();
        this.buffer = new OneToOneRingBuffer(ring.buffer());
    }

    /**
     * Producer (the worker): copies {@code lengthBytes} bytes of the frame at {@code offset} of
     * {@code segment} into the queue, with its ingress port. Returns false — and counts it in
     * {@link #droppedFrames()} — when the queue is full or the length is not that of a frame
     * (1..{@link PuntDescriptor#MAX_FRAME_BYTES}); the caller still owns (and drops) the frame
     * either way. Allocates nothing, throws nothing.
     */
    public boolean offer(MemorySegment segment, long offset, int lengthBytes, int ingressPort) {
        if (lengthBytes <= 0 || lengthBytes > PuntDescriptor.MAX_FRAME_BYTES) {
            DROPPED.setRelease(this, (long) DROPPED.getOpaque(this) + 1);
            return false;
        }
        final int index = buffer.tryClaim(PuntDescriptor.FRAME_MESSAGE_TYPE, PuntDescriptor.HEADER_LENGTH + lengthBytes);
        if (index < 0) {
            DROPPED.setRelease(this, (long) DROPPED.getOpaque(this) + 1);
            return false;
        }
        memory.set(ValueLayout.JAVA_INT_UNALIGNED, index + PuntDescriptor.PORT_OFFSET, ingressPort);
        memory.set(ValueLayout.JAVA_INT_UNALIGNED, index + PuntDescriptor.FRAME_LENGTH_OFFSET, lengthBytes);
        MemorySegment.copy(segment, offset, memory, index + PuntDescriptor.FRAME_OFFSET, lengthBytes);
        buffer.commit(index);
        PUNTED.setRelease(this, (long) PUNTED.getOpaque(this) + 1);
        return true;
    }

    /**
     * Consumer (a slow-path thread): hands up to {@code limit} punted frames to {@code handler},
     * oldest first; returns how many. The handler must copy what it keeps.
     */
    public int drain(PuntHandler handler, int limit) {
        adapter.handler = handler;
        try {
            return buffer.read(adapter, limit);
        } finally {
            adapter.handler = null;
        }
    }

    /** Frames accepted since the queue was made. */
    public long puntedFrames() {
        return (long) PUNTED.getAcquire(this);
    }

    /** Frames refused because the queue was full (or the length was not a frame's). */
    public long droppedFrames() {
        return (long) DROPPED.getAcquire(this);
    }

    /** Bytes waiting to be drained (records, headers included). */
    public int queuedBytes() {
        return buffer.size();
    }

    @Override
    public void close() {
        ring.close();
    }

    /** Turns the ring's callback into a {@link PuntHandler} call, without allocating. */
    private final class Adapter implements MessageHandler {
        PuntHandler handler;

        @Override
        public void onMessage(int msgTypeId, MutableDirectBuffer unused, int index, int length) {
            final int port = memory.get(ValueLayout.JAVA_INT_UNALIGNED, index + PuntDescriptor.PORT_OFFSET);
            final int frameLength = memory.get(ValueLayout.JAVA_INT_UNALIGNED, index + PuntDescriptor.FRAME_LENGTH_OFFSET);
            handler.onFrame(memory, index + PuntDescriptor.FRAME_OFFSET, frameLength, port);
        }
    }
}
