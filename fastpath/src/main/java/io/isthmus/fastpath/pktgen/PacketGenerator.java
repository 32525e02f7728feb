package io.isthmus.fastpath.pktgen;

import io.isthmus.fastpath.frame.FramePool;
import io.isthmus.fastpath.pipeline.PacketBatch;
import io.isthmus.fastpath.port.Port;

import java.lang.foreign.MemorySegment;

/**
 * The sending side of {@code isthmus pktgen}: each duty cycle takes free frames from the pool,
 * copies the next flows' templates into them, queues them on the port and flushes (the port kicks
 * the kernel when it asks and returns completed frames to the pool). Frames that arrive on the
 * port are given straight back. With a rate limit it sends no more than
 * {@code ratePps × elapsed} in total, and after a stall (the thread not scheduled) no more than
 * {@link #maxBurstFrames} at once: the rest of the stall's backlog is skipped, not sent as a burst
 * far above the offered rate that the device under test never saw in steady state; without a
 * limit, a batch per cycle.
 *
 * <p>No allocation, no exception, no lock per cycle.
 * <p><b>Thread-safety:</b> one thread calls {@link #start} and {@link #doWork} and is the only
 * writer of the count; {@link #sent()} may be read by others (a volatile field, written once a cycle).
 */
public final class PacketGenerator {
    private final Port port;
    private final FramePool pool;
    private final FlowTemplates templates;
    private final long ratePps;
    private final MemorySegment frames;
    private final PacketBatch received;
    private final int wireBytes;
    private final long maxBurstFrames;
    private long startNs;
    /** Frames the rate has accounted for: sent, or skipped after a stall. Written by the sending thread only. */
    private long paced;
    private volatile long sent;
    private int nextFlow;

    public PacketGenerator(Port port, FramePool pool, FlowTemplates templates, long ratePps) {
        this.port = port;
        this.pool = pool;
        this.templates = templates;
        this.ratePps = ratePps;
        this.frames = pool.memory().segment();
        this.received = new PacketBatch(pool.memory());
        this.wireBytes = templates.wireBytes();
        this.maxBurstFrames = maxBurstFrames(ratePps);
    }

    /** The most a rate-limited generator sends at once after a stall: 1 ms of its rate, at least one batch. */
    static long maxBurstFrames(long ratePps) {
        return Math.max(PacketBatch.CAPACITY, ratePps / 1000);
    }

    public void start(long nowNs) {
        startNs = nowNs;
    }

    /** One cycle; returns the frames queued (0 when the ring, the pool or the rate limit said no). */
    public int doWork(long nowNs) {
        received.clear();
        final int arrived = port.receive(received);
        for (int i = 0; i < arrived; i++) {
            pool.release(received.address[i]);
        }
        int budget = PacketBatch.CAPACITY;
        if (ratePps > 0) {
            long allowed = (long) ((double) (nowNs - startNs) * ratePps / 1e9) - paced;
            if (allowed > maxBurstFrames) { // a stall: skip its backlog beyond one burst
                paced += allowed - maxBurstFrames;
                allowed = maxBurstFrames;
            }
            budget = (int) Math.max(0, Math.min(budget, allowed));
        }
        int queued = 0;
        final int flows = templates.flows();
        while (queued < budget) {
            final long address = pool.acquire();
            if (address < 0) {
                break;
            }
            templates.copyTo(nextFlow, frames, address);
            if (!port.transmit(address, wireBytes)) {
                pool.release(address);
                break;
            }
            nextFlow = nextFlow + 1 == flows ? 0 : nextFlow + 1;
            queued++;
        }
        if (queued != 0) {
            paced += queued;
            sent += queued; // one volatile store per cycle that sent something
        }
        return port.flush() + queued + arrived;
    }

    /** Frames handed to the device so far. */
    public long sent() {
        return sent;
    }
}
