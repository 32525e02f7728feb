package io.isthmus.fastpath.xsk;

import io.isthmus.fastpath.frame.FramePool;
import io.isthmus.fastpath.pipeline.PacketBatch;
import io.isthmus.fastpath.port.Port;

import java.lang.management.ManagementFactory;
import java.util.List;

/**
 * Test-only stand-in for a worker: a thread that forwards every frame received on port 0 to
 * port 1 and back, like a wire, with the same duty cycle (receive a batch, transmit, flush).
 * Runs until {@link #close()} (bounded by the test's own time limits).
 */
final class WireForwarder implements AutoCloseable {
    private final Port[] ports;
    private final FramePool pool;
    private final PacketBatch batch;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile Throwable failure;

    WireForwarder(List<? extends Port> ports, FramePool pool) {
        this.ports = ports.toArray(Port[]::new);
        this.pool = pool;
        this.batch = new PacketBatch(pool.memory());
        this.thread = Thread.ofPlatform().name("wire-forwarder").daemon().start(this::run);
    }

    private void run() {
        try {
            while (running) {
                int work = 0;
                for (int p = 0; p < ports.length; p++) {
                    final Port in = ports[p];
                    final Port out = ports[1 - p];
                    batch.clear();
                    final int n = in.receive(batch);
                    for (int i = 0; i < n; i++) {
                        if (!out.transmit(batch.address[i], batch.length[i])) {
                            pool.release(batch.address[i]);
                        }
                    }
                    work += n;
                }
                for (int p = 0; p < ports.length; p++) { // indexed: no iterator on the duty cycle
                    work += ports[p].flush();
                }
                if (work == 0) {
                    Thread.onSpinWait();
                }
            }
        } catch (Throwable t) {
            failure = t;
        }
    }

    /** Bytes the forwarding thread has allocated so far (HotSpot's per-thread counter). */
    long allocatedBytes() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getThreadAllocatedBytes(thread.threadId());
    }

    Throwable failure() {
        return failure;
    }

    @Override
    public void close() {
        running = false;
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
