package io.isthmus.fastpath.pipeline;

import io.isthmus.fastpath.port.PortCounters;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * Single-writer counters read from another thread: the reader never sees a value go backwards and
 * sees the final value once the writer is done. (Bounded: 2 million increments, 30 s at most.)
 */
class CountersAcrossThreadsTest {
    static final int INCREMENTS = 2_000_000;

    @Test
    void readersSeeMonotonicValuesAndTheFinalCount() throws InterruptedException {
        final DropCounters drops = new DropCounters();
        final PortCounters port = new PortCounters();
        final AtomicReference<String> problem = new AtomicReference<>();
        final Thread writer = new Thread(() -> {
            for (int i = 0; i < INCREMENTS; i++) {
                drops.increment(DropReason.NO_ROUTE);
                port.add(PortCounters.Counter.RX_DROPPED, 1);
            }
        });
        final Thread reader = new Thread(() -> {
            long lastDrops = 0;
            long lastPort = 0;
            final long deadlineNs = System.nanoTime() + 30_000_000_000L;
            while (lastDrops < INCREMENTS && System.nanoTime() < deadlineNs) {
                final long nowDrops = drops.get(DropReason.NO_ROUTE);
                final long nowPort = port.get(PortCounters.Counter.RX_DROPPED);
                if (nowDrops < lastDrops || nowPort < lastPort) {
                    problem.compareAndSet(null, "went backwards: " + lastDrops + " -> " + nowDrops + ", " + lastPort + " -> " + nowPort);
                }
                lastDrops = nowDrops;
                lastPort = nowPort;
            }
        });
        reader.start();
        writer.start();
        writer.join(30_000);
        reader.join(30_000);
        assertNull(problem.get());
        assertEquals(INCREMENTS, drops.get(DropReason.NO_ROUTE));
        assertEquals(INCREMENTS, drops.total());
        assertEquals(INCREMENTS, port.get(PortCounters.Counter.RX_DROPPED));
    }
}
