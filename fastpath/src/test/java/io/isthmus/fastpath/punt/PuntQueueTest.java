package io.isthmus.fastpath.punt;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PuntQueueTest {

    private static byte[] frame(int length, int seed) {
        final byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) (seed * 31 + i);
        }
        return bytes;
    }

    private record Punted(byte[] bytes, int port) {
    }

    private static List<Punted> drainAll(PuntQueue queue, int limit) {
        final List<Punted> out = new ArrayList<>();
        queue.drain((memory, offset, length, port) -> out.add(new Punted(memory.asSlice(offset, length).toArray(ValueLayout.JAVA_BYTE), port)), limit);
        return out;
    }

    @Test
    void framesComeOutInOrderWithTheirPortsAndTheSourceCanBeReusedAtOnce() {
        try (PuntQueue queue = new PuntQueue(); Arena arena = Arena.ofConfined()) {
            final MemorySegment umem = arena.allocate(4096);
            final byte[] first = frame(60, 1);
            final byte[] second = frame(2048, 2);
            MemorySegment.copy(first, 0, umem, ValueLayout.JAVA_BYTE, 100, first.length);
            assertTrue(queue.offer(umem, 100, first.length, 3));
            umem.fill((byte) 0); // the frame went back to the pool and was reused: the copy is independent
            MemorySegment.copy(second, 0, umem, ValueLayout.JAVA_BYTE, 0, second.length);
            assertTrue(queue.offer(umem, 0, second.length, 7));
            final List<Punted> out = drainAll(queue, 10);
            assertEquals(2, out.size());
            assertArrayEquals(first, out.get(0).bytes());
            assertEquals(3, out.get(0).port());
            assertArrayEquals(second, out.get(1).bytes());
            assertEquals(7, out.get(1).port());
            assertEquals(2, queue.puntedFrames());
            assertEquals(0, queue.droppedFrames());
            assertEquals(0, queue.queuedBytes());
        }
    }

    @Test
    void drainTakesAtMostTheLimit() {
        try (PuntQueue queue = new PuntQueue()) {
            for (int i = 0; i < 5; i++) {
                assertTrue(queue.offer(MemorySegment.ofArray(frame(64, i)), 0, 64, i));
            }
            assertEquals(2, drainAll(queue, 2).size());
            final List<Punted> rest = drainAll(queue, 100);
            assertEquals(3, rest.size());
            assertEquals(2, rest.getFirst().port());
        }
    }

    @Test
    void aFullQueueRefusesAndCountsUntilDrained() {
        try (PuntQueue queue = new PuntQueue(32 * 1024)) {
            final MemorySegment frame = MemorySegment.ofArray(frame(1000, 9));
            int accepted = 0;
            while (queue.offer(frame, 0, 1000, 0)) {
                accepted++;
                assertTrue(accepted < 100, "a 32 KiB ring cannot hold 100 frames of 1000 bytes");
            }
            assertTrue(accepted >= 30, "accepted " + accepted);
            assertEquals(1, queue.droppedFrames());
            assertFalse(queue.offer(frame, 0, 1000, 0));
            assertEquals(2, queue.droppedFrames());
            assertEquals(accepted, drainAll(queue, 1000).size());
            assertTrue(queue.offer(frame, 0, 1000, 0), "room again after the drain");
        }
    }

    @Test
    void lengthsThatAreNotAFrameAreRefusedWithoutException() {
        try (PuntQueue queue = new PuntQueue()) {
            final MemorySegment big = MemorySegment.ofArray(new byte[4096]);
            assertFalse(queue.offer(big, 0, 0, 0));
            assertFalse(queue.offer(big, 0, -5, 0));
            assertFalse(queue.offer(big, 0, 2049, 0));
            assertEquals(3, queue.droppedFrames());
            assertEquals(0, queue.puntedFrames());
        }
    }

    @Test
    void aRingThatCannotHoldFramesIsRefusedAtConstruction() {
        assertThrows(IllegalArgumentException.class, () -> new PuntQueue(1000));
        assertThrows(IllegalArgumentException.class, () -> new PuntQueue(4096));
    }

    /** One worker thread punts 200 000 numbered frames of varying length while another drains: all arrive, in order, intact. */
    @Test
    void producerAndConsumerOnTwoThreads() throws InterruptedException {
        final int count = 200_000;
        try (PuntQueue queue = new PuntQueue(64 * 1024)) {
            final AtomicReference<Throwable> failure = new AtomicReference<>();
            final Thread producer = new Thread(() -> {
                try (Arena arena = Arena.ofConfined()) {
                    final MemorySegment frame = arena.allocate(2048);
                    final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                    for (int n = 0; n < count && System.nanoTime() < deadline; ) {
                        final int length = 8 + (n % 300);
                        frame.set(ValueLayout.JAVA_INT_UNALIGNED, 0, n);
                        frame.set(ValueLayout.JAVA_INT_UNALIGNED, length - 4, ~n);
                        if (queue.offer(frame, 0, length, n & 0xFF)) {
                            n++;
                        } else {
                            Thread.onSpinWait();
                        }
                    }
                } catch (Throwable t) {
                    failure.set(t);
                }
            }, "punt-producer");
            producer.start();
            final int[] next = {0};
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (next[0] < count && System.nanoTime() < deadline) {
                queue.drain((memory, offset, length, port) -> {
                    final int n = memory.get(ValueLayout.JAVA_INT_UNALIGNED, offset);
                    if (n != next[0] || length != 8 + (n % 300) || port != (n & 0xFF)
                            || memory.get(ValueLayout.JAVA_INT_UNALIGNED, offset + length - 4) != ~n) {
                        throw new AssertionError("frame " + next[0] + ": got n=" + n + " length=" + length + " port=" + port);
                    }
                    next[0]++;
                }, 64);
            }
            producer.join(TimeUnit.SECONDS.toMillis(30));
            assertNull(failure.get());
            assertEquals(count, next[0]);
            assertEquals(count, queue.puntedFrames());
        }
    }
}
