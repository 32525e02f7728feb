package io.isthmus.fastpath.port;

import io.isthmus.fastpath.frame.FramePool;
import io.isthmus.fastpath.pipeline.PacketBatch;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;
import org.agrona.concurrent.OneToOneConcurrentArrayQueue;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A port made of two queues, for tests and benchmarks. It has two modes of receiving:
 *
 * <ul>
 *   <li><b>Injected frames</b> (tests): any thread {@link #inject}s frame bytes; the worker copies
 *   them into frames from its pool on {@link #receive}. Transmitted frames are copied out on
 *   {@link #flush} and any thread takes them with {@link #pollTransmitted()} (unless
 *   {@link #discardTransmitted} is set). This mode allocates (a {@code byte[]} per frame) and is not
 *   for measurements.</li>
 *   <li><b>Generator</b> (JMH): after {@link #generate}, every {@link #receive} fills the batch with
 *   copies of one template frame, taking frames from the pool; with {@link #discardTransmitted}
 *   the transmitted frames go straight back to the pool. Frames are recycled; nothing is allocated.</li>
 * </ul>
 *
 * <p>The transmit ring holds {@code txCapacityFrames}; a full ring refuses the frame
 * ({@link #transmit} returns false, TX_RING_FULL counted) until the next {@link #flush}.
 *
 * <p><b>Thread-safety:</b> {@link #receive}, {@link #transmit}, {@link #flush}, {@link #generate}
 * and {@link #close} belong to the worker thread (they touch the worker's pool). {@link #inject}
 * may be called from any thread (many-to-one queue); {@link #pollTransmitted()} from one other
 * thread (one-to-one queue). Counters: see {@link PortCounters}.
 */
public final class InMemoryPort implements Port {
    private final int id;
    private final String name;
    private final FramePool pool;
    private final MemorySegment memory;
    private final int frameSizeBytes;
    private final PortCounters counters = new PortCounters();
    private final ManyToOneConcurrentArrayQueue<byte[]> injected;
    private final OneToOneConcurrentArrayQueue<byte[]> transmitted;
    private final PendingTransmits pending;
    private volatile boolean discardTransmitted;
    private MemorySegment template;
    private int templateLengthBytes;

    public InMemoryPort(int id, String name, FramePool pool, int queueCapacityFrames, int txCapacityFrames) {
        this.id = id;
        this.name = name;
        this.pool = pool;
        this.memory = pool.memory().segment();
        this.frameSizeBytes = pool.memory().frameSizeBytes();
        this.injected = new ManyToOneConcurrentArrayQueue<>(queueCapacityFrames);
        this.transmitted = new OneToOneConcurrentArrayQueue<>(queueCapacityFrames);
        this.pending = new PendingTransmits(txCapacityFrames, counters);
    }

    /** A port with queues of 4096 frames and a transmit ring of 256. */
    public InMemoryPort(int id, String name, FramePool pool) {
        this(id, name, pool, 4096, 256);
    }

    @Override
    public int id() {
        return id;
    }

    @Override
    public String name() {
        return name;
    }

    /** Any thread: queues a frame to be received; false when the queue is full or the frame is larger than a frame buffer. */
    public boolean inject(byte[] frame) {
        return frame.length <= frameSizeBytes && injected.offer(frame.clone());
    }

    /** The other thread: the next transmitted frame, or null. */
    public byte[] pollTransmitted() {
        return transmitted.poll();
    }

    /** When set, transmitted frames are counted and returned to the pool, not copied out. */
    public void discardTransmitted(boolean discard) {
        this.discardTransmitted = discard;
    }

    /** Worker thread (or before it starts): from now on every receive fills the batch with copies of {@code frame}. */
    public void generate(MemorySegment frame, int lengthBytes) {
        if (lengthBytes > frameSizeBytes) {
            throw new IllegalArgumentException("template of " + lengthBytes + " bytes exceeds the frame size " + frameSizeBytes);
        }
        this.template = frame;
        this.templateLengthBytes = lengthBytes;
    }

    @Override
    public int receive(PacketBatch batch) {
        return template != null ? receiveGenerated(batch) : receiveInjected(batch);
    }

    private int receiveGenerated(PacketBatch batch) {
        final int wanted = batch.free();
        final int length = templateLengthBytes;
        int received = 0;
        while (received < wanted) {
            final long frame = pool.acquire();
            if (frame < 0) {
                counters.add(PortCounters.Counter.RX_FILL_EMPTY, 1);
                break;
            }
            MemorySegment.copy(template, 0, memory, frame, length);
            batch.add(frame, length, id);
            received++;
        }
        counters.addReceived(received, (long) received * length);
        return received;
    }

    private int receiveInjected(PacketBatch batch) {
        final int wanted = batch.free();
        int received = 0;
        long bytes = 0;
        while (received < wanted) {
            final byte[] bytesIn = injected.peek();
            if (bytesIn == null) {
                break;
            }
            final long frame = pool.acquire();
            if (frame < 0) {
                counters.add(PortCounters.Counter.RX_FILL_EMPTY, 1);
                break;
            }
            injected.poll();
            MemorySegment.copy(bytesIn, 0, memory, ValueLayout.JAVA_BYTE, frame, bytesIn.length);
            batch.add(frame, bytesIn.length, id);
            received++;
            bytes += bytesIn.length;
        }
        counters.addReceived(received, bytes);
        return received;
    }

    @Override
    public boolean transmit(long address, int lengthBytes) {
        return pending.offer(address, lengthBytes);
    }

    @Override
    public int flush() {
        final int count = pending.count();
        if (count == 0) {
            return 0;
        }
        final boolean discard = discardTransmitted;
        int sent = 0;
        long bytes = 0;
        for (int i = 0; i < count; i++) {
            final long address = pending.address(i);
            final int length = pending.length(i);
            if (!discard) {
                final byte[] out = new byte[length];
                MemorySegment.copy(memory, ValueLayout.JAVA_BYTE, address, out, 0, length);
                if (!transmitted.offer(out)) {
                    counters.add(PortCounters.Counter.TX_RING_FULL, 1); // the reader is too slow: lost on the "wire"
                    pool.release(address);
                    continue;
                }
            }
            pool.release(address);
            sent++;
            bytes += length;
        }
        pending.clear();
        counters.addTransmitted(sent, bytes);
        return count;
    }

    @Override
    public PortCounters counters() {
        return counters;
    }

    /** Worker thread, after the worker stopped: returns queued transmit frames to the pool. */
    @Override
    public void close() {
        pending.releaseAll(pool);
        injected.clear();
    }
}
