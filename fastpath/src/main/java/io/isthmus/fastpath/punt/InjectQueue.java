package io.isthmus.fastpath.punt;

import io.isthmus.fastpath.frame.FramePool;
import io.isthmus.fastpath.pipeline.PipelineContext;
import io.isthmus.fastpath.port.Port;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.ControlledMessageHandler;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Finished frames from the slow path (a DNS reply built by the forwarder, later ICMP errors) on
 * their way out of one worker's port: a bounded ring of frame copies ({@link PuntDescriptor})
 * over off-heap memory (an Agrona {@link ManyToOneRingBuffer}). Slow-path threads {@link #offer}
 * a frame and the port it must leave by; the worker, once per duty cycle, calls
 * {@link #transmitInto}: each frame is copied into a frame of its pool and handed to the port's
 * transmit queue (sent at the port's next flush).
 *
 * <pre>
 *   slow-path thread(s)                                   worker duty cycle
 *   offer(bytes, egressPort) ──▶ [ ring of port|len|bytes ] ──▶ transmitInto(context, limit)
 *                                                              pool.acquire → copy → port.transmit
 * </pre>
 *
 * <p>When the pool has no free frame the worker stops and leaves the rest queued for its next
 * cycle; a frame for a port the worker does not have, or refused by a full transmit ring, is
 * dropped and counted in {@link #droppedFrames()}.
 *
 * <p><b>Thread-safety:</b> any number of producer threads call {@link #offer}; exactly one consumer
 * (the worker that owns the ports) calls {@link #transmitInto}. Counters may be read from any
 * thread. {@link #close()} after both sides stopped.
 */
public final class InjectQueue implements AutoCloseable {
    public static final int DEFAULT_CAPACITY_BYTES = 128 * 1024;

    private static final VarHandle OFFERED;
    private static final VarHandle REFUSED;
    private static final VarHandle TRANSMITTED;
    private static final VarHandle DROPPED;

    static {
        try {
            final MethodHandles.Lookup lookup = MethodHandles.lookup();
            OFFERED = lookup.findVarHandle(InjectQueue.class, "offeredFrames", long.class);
            REFUSED = lookup.findVarHandle(InjectQueue.class, "refusedFrames", long.class);
            TRANSMITTED = lookup.findVarHandle(InjectQueue.class, "transmittedFrames", long.class);
            DROPPED = lookup.findVarHandle(InjectQueue.class, "droppedFrames", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final FrameRing ring;
    private final MemorySegment memory;
    private final RingBuffer buffer;
    private final Transmitter transmitter = new Transmitter();
    @SuppressWarnings("unused") private long offeredFrames;
    @SuppressWarnings("unused") private long refusedFrames;
    @SuppressWarnings("unused") private long transmittedFrames;
    @SuppressWarnings("unused") private long droppedFrames;

    public InjectQueue() {
        this(DEFAULT_CAPACITY_BYTES);
    }

    /** @param capacityBytes the ring's data area: a power of two of at least 8 maximal frames */
    public InjectQueue(int capacityBytes) {
        this.ring = new FrameRing(capacityBytes);
        this.memory = ring.memory();
        this.buffer = new ManyToOneRingBuffer(ring.buffer());
    }

    /**
     * Any thread: queues a copy of the frame {@code segment[offset, offset + lengthBytes)} to be
     * sent out of {@code egressPort} of the worker that drains this queue. False (counted in
     * {@link #refusedFrames()}) when the queue is full or the length is not 1..2048.
     */
    public boolean offer(MemorySegment segment, long offset, int lengthBytes, int egressPort) {
        if (lengthBytes <= 0 || lengthBytes > PuntDescriptor.MAX_FRAME_BYTES) {
            REFUSED.getAndAdd(this, 1L);
            return false;
        }
        final int index = buffer.tryClaim(PuntDescriptor.FRAME_MESSAGE_TYPE, PuntDescriptor.HEADER_LENGTH + lengthBytes);
        if (index < 0) {
            REFUSED.getAndAdd(this, 1L);
            return false;
        }
        memory.set(ValueLayout.JAVA_INT_UNALIGNED, index + PuntDescriptor.PORT_OFFSET, egressPort);
        memory.set(ValueLayout.JAVA_INT_UNALIGNED, index + PuntDescriptor.FRAME_LENGTH_OFFSET, lengthBytes);
        MemorySegment.copy(segment, offset, memory, index + PuntDescriptor.FRAME_OFFSET, lengthBytes);
        buffer.commit(index);
        OFFERED.getAndAdd(this, 1L);
        return true;
    }

    /** Any thread: {@link #offer(MemorySegment, long, int, int)} for a whole array. */
    public boolean offer(byte[] frame, int egressPort) {
        return offer(MemorySegment.ofArray(frame), 0, frame.length, egressPort);
    }

    /**
     * The worker: sends up to {@code limit} queued frames out of the ports of {@code context}
     * (copied into frames of its pool, queued on the port until its flush). Returns how many
     * messages it consumed. Allocates nothing, throws nothing.
     */
    public int transmitInto(PipelineContext context, int limit) {
        transmitter.context = context;
        transmitter.pool = context.pool();
        final int consumed = buffer.controlledRead(transmitter, limit);
        transmitter.context = null;
        transmitter.pool = null;
        return consumed;
    }

    /** Frames accepted by {@link #offer}. */
    public long offeredFrames() {
        return (long) OFFERED.getAcquire(this);
    }

    /** Frames {@link #offer} refused (queue full, bad length). */
    public long refusedFrames() {
        return (long) REFUSED.getAcquire(this);
    }

    /** Frames handed to a port's transmit queue. */
    public long transmittedFrames() {
        return (long) TRANSMITTED.getAcquire(this);
    }

    /** Frames the worker dropped: unknown port, or the port's transmit ring was full. */
    public long droppedFrames() {
        return (long) DROPPED.getAcquire(this);
    }

    @Override
    public void close() {
        ring.close();
    }

    /** The ring callback run by the worker: one frame from the pool per message. */
    private final class Transmitter implements ControlledMessageHandler {
        PipelineContext context;
        FramePool pool;

        @Override
        public Action onMessage(int msgTypeId, MutableDirectBuffer unused, int index, int length) {
            final int portId = memory.get(ValueLayout.JAVA_INT_UNALIGNED, index + PuntDescriptor.PORT_OFFSET);
            final int frameLength = memory.get(ValueLayout.JAVA_INT_UNALIGNED, index + PuntDescriptor.FRAME_LENGTH_OFFSET);
            if (portId < 0 || portId >= context.portCount()) {
                DROPPED.setRelease(InjectQueue.this, (long) DROPPED.getOpaque(InjectQueue.this) + 1);
                return Action.CONTINUE;
            }
            final long frame = pool.acquire();
            if (frame < 0) {
                return Action.ABORT; // no free frame this cycle: keep it queued
            }
            MemorySegment.copy(memory, index + PuntDescriptor.FRAME_OFFSET, pool.memory().segment(), frame, frameLength);
            final Port port = context.port(portId);
            if (port.transmit(frame, frameLength)) {
                TRANSMITTED.setRelease(InjectQueue.this, (long) TRANSMITTED.getOpaque(InjectQueue.this) + 1);
            } else {
                pool.release(frame);
                DROPPED.setRelease(InjectQueue.this, (long) DROPPED.getOpaque(InjectQueue.this) + 1);
            }
            return Action.CONTINUE;
        }
    }
}
