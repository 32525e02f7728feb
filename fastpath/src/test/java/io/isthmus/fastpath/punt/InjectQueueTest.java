package io.isthmus.fastpath.punt;

import io.isthmus.fastpath.pipeline.RouteTable;
import io.isthmus.fastpath.testing.StageHarness;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class InjectQueueTest {
    private static RouteTable twoPorts() {
        return RouteTable.builder(1).port(0, 0x02_00_00_00_00_01L, 0x0AF40102).port(1, 0x02_00_00_00_00_02L, 0x0AF40103).build();
    }

    private static byte[] frame(int length, int seed) {
        final byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) (seed + i);
        }
        return bytes;
    }

    @Test
    void framesLeaveByTheirPortInOrder() {
        try (StageHarness harness = new StageHarness(twoPorts()); InjectQueue queue = new InjectQueue()) {
            final byte[] a = frame(80, 1);
            final byte[] b = frame(1500, 2);
            final byte[] c = frame(60, 3);
            assertTrue(queue.offer(a, 1));
            assertTrue(queue.offer(b, 0));
            assertTrue(queue.offer(c, 1));
            final int poolBefore = harness.framesInPool();
            assertEquals(3, queue.transmitInto(harness.context(), 16));
            assertEquals(poolBefore - 3, harness.framesInPool(), "each frame took one frame of the pool");
            assertArrayEquals(b, harness.transmitted(0));
            assertNull(harness.transmitted(0));
            assertArrayEquals(a, harness.transmitted(1));
            assertArrayEquals(c, harness.transmitted(1));
            assertEquals(3, queue.transmittedFrames());
            assertEquals(0, queue.droppedFrames());
        }
    }

    @Test
    void anUnknownPortIsDroppedAndCountedAndAFullTxRingGivesTheFrameBack() {
        try (StageHarness harness = new StageHarness(twoPorts(), 2, 1); InjectQueue queue = new InjectQueue()) {
            queue.offer(frame(64, 0), 5);
            queue.offer(frame(64, 0), -1);
            queue.offer(frame(64, 1), 0);
            queue.offer(frame(64, 2), 0); // the TX ring holds one frame until the next flush
            final int poolBefore = harness.framesInPool();
            assertEquals(4, queue.transmitInto(harness.context(), 16));
            assertEquals(1, queue.transmittedFrames());
            assertEquals(3, queue.droppedFrames());
            assertEquals(poolBefore - 1, harness.framesInPool(), "refused frames went back to the pool");
        }
    }

    @Test
    void offerRefusesWhatIsNotAFrameAndWhenFull() {
        try (InjectQueue queue = new InjectQueue(32 * 1024)) {
            assertFalse(queue.offer(new byte[0], 0));
            assertFalse(queue.offer(new byte[2049], 0));
            int accepted = 0;
            while (queue.offer(frame(1000, 0), 0) && accepted < 100) {
                accepted++;
            }
            assertTrue(accepted < 100);
            assertEquals(3, queue.refusedFrames());
            assertEquals(accepted, queue.offeredFrames());
        }
    }

    @Test
    void anEmptyPoolLeavesTheRestQueuedForTheNextCycle() {
        try (StageHarness harness = new StageHarness(twoPorts()); InjectQueue queue = new InjectQueue()) {
            final List<Long> taken = new ArrayList<>();
            for (long f; (f = harness.context().pool().acquire()) >= 0; ) {
                taken.add(f);
            }
            queue.offer(frame(64, 7), 0);
            assertEquals(0, queue.transmitInto(harness.context(), 16), "no frame to copy into: nothing consumed");
            harness.context().pool().release(taken.removeLast());
            assertEquals(1, queue.transmitInto(harness.context(), 16));
            assertArrayEquals(frame(64, 7), harness.transmitted(0));
            taken.forEach(harness.context().pool()::release);
        }
    }

    /** Two slow-path threads inject concurrently; the worker sees every frame once. */
    @Test
    void manyProducersOneWorker() throws InterruptedException {
        final int perThread = 20_000;
        try (StageHarness harness = new StageHarness(twoPorts(), 2, 4096); InjectQueue queue = new InjectQueue(64 * 1024)) {
            final Thread[] producers = new Thread[2];
            for (int t = 0; t < producers.length; t++) {
                final int thread = t;
                producers[t] = new Thread(() -> {
                    final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                    for (int n = 0; n < perThread && System.nanoTime() < deadline; ) {
                        final byte[] bytes = new byte[64];
                        bytes[0] = (byte) thread;
                        bytes[1] = (byte) (n >>> 16);
                        bytes[2] = (byte) (n >>> 8);
                        bytes[3] = (byte) n;
                        if (queue.offer(bytes, thread)) {
                            n++;
                        } else {
                            Thread.onSpinWait();
                        }
                    }
                });
                producers[t].start();
            }
            final Set<Integer> seen = new HashSet<>();
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (seen.size() < 2 * perThread && System.nanoTime() < deadline) {
                queue.transmitInto(harness.context(), 64);
                for (int port = 0; port < 2; port++) {
                    for (byte[] out; (out = harness.transmitted(port)) != null; ) {
                        assertEquals(port, out[0], "frame left by the port its producer named");
                        final int n = ((out[1] & 0xFF) << 16) | ((out[2] & 0xFF) << 8) | (out[3] & 0xFF);
                        assertTrue(seen.add(port * perThread + n), "duplicate " + port + "/" + n);
                    }
                }
            }
            for (Thread producer : producers) {
                producer.join(TimeUnit.SECONDS.toMillis(30));
            }
            assertEquals(2 * perThread, seen.size());
            assertEquals(2L * perThread, queue.transmittedFrames());
        }
    }
}
