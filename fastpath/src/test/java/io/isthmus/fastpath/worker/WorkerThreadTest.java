package io.isthmus.fastpath.worker;

import io.isthmus.fastpath.frame.FrameMemory;
import io.isthmus.fastpath.frame.FramePool;
import io.isthmus.fastpath.pipeline.RouteTable;
import io.isthmus.fastpath.pipeline.RouteTableRef;
import io.isthmus.fastpath.port.InMemoryPort;
import io.isthmus.fastpath.port.Port;
import io.isthmus.fastpath.testing.TestFrames;
import org.agrona.concurrent.SystemNanoClock;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static io.isthmus.fastpath.worker.WorkerSwitchingTest.GATEWAY;
import static io.isthmus.fastpath.worker.WorkerSwitchingTest.POD_A;
import static io.isthmus.fastpath.worker.WorkerSwitchingTest.POD_MAC_A;
import static io.isthmus.fastpath.worker.WorkerSwitchingTest.SWITCH_MAC_0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WorkerThreadTest {

    @Test
    void optionsParseAndOutOfRangeValuesAreRefusedNamingTheOption() {
        assertEquals(-5, WorkerThread.parseNice("-5"));
        assertEquals(19, WorkerThread.parseNice("19"));
        assertEquals(1, WorkerThread.parseCpu("1"));
        assertEquals("--worker-nice must be -20..19, not -21",
                assertThrows(IllegalArgumentException.class, () -> WorkerThread.parseNice("-21")).getMessage());
        assertEquals("--worker-nice takes a number -20..19, not 'high'",
                assertThrows(IllegalArgumentException.class, () -> WorkerThread.parseNice("high")).getMessage());
        assertEquals("--worker-cpu must be 0..1023, not -1",
                assertThrows(IllegalArgumentException.class, () -> WorkerThread.parseCpu("-1")).getMessage());
        assertThrows(IllegalArgumentException.class, () -> new WorkerThread(20, WorkerThread.ANY_CPU));
        assertEquals(new WorkerThread(3, 0), WorkerThread.INHERIT.withNice(3).withCpu(0));
        assertEquals("inherited", runOnNewThread(WorkerThread.INHERIT::applyToCurrentThread));
    }

    @Test
    void theThreadGetsItsNiceValueAndOnlyItsThreadDoes() {
        final int before = WorkerThread.currentNice();
        final int[] seen = new int[1];
        // raising one's nice value needs no privilege, so this runs everywhere
        final String done = runOnNewThread(() -> {
            final String text = new WorkerThread(before + 2 > 19 ? 19 : before + 2, WorkerThread.ANY_CPU).applyToCurrentThread();
            seen[0] = WorkerThread.currentNice();
            return text;
        });
        assertEquals(Math.min(19, before + 2), seen[0], done);
        assertEquals(before, WorkerThread.currentNice(), "the calling thread keeps its own nice value");
    }

    @Test
    void theThreadIsPinnedToItsCpu() {
        final int cpu = Runtime.getRuntime().availableProcessors() - 1;
        final String[] allowed = new String[1];
        final String done = runOnNewThread(() -> {
            final String text = new WorkerThread(WorkerThread.KEEP_NICE, cpu).applyToCurrentThread();
            allowed[0] = cpusAllowed();
            return text;
        });
        assertEquals("cpu " + cpu, done);
        assertEquals(String.valueOf(cpu), allowed[0]);
    }

    @Test
    void aRunnerPlacesTheWorkersThreadBeforeItsFirstCycle() throws Exception {
        final int nice = Math.min(19, WorkerThread.currentNice() + 3);
        try (Arena arena = Arena.ofShared()) {
            final FramePool pool = new FramePool(FrameMemory.allocate(arena, 64, 2048));
            final InMemoryPort port = new InMemoryPort(0, "p0", pool);
            final Worker worker = Worker.switching("placed", new Port[]{port}, pool,
                    new RouteTableRef(RouteTable.builder(1).port(0, SWITCH_MAC_0, POD_A).build()), new SystemNanoClock());
            final AtomicInteger workerNice = new AtomicInteger(Integer.MIN_VALUE);
            try (WorkerRunner runner = WorkerRunner.start(worker, IdleMode.BACKOFF, WorkerThread.INHERIT.withNice(nice))) {
                worker.call(() -> {
                    workerNice.set(WorkerThread.currentNice());
                    return null;
                }).get(5, TimeUnit.SECONDS);
                port.inject(TestFrames.arpRequestFrame(POD_MAC_A, POD_A, GATEWAY));
                byte[] reply = null;
                final long deadlineNs = System.nanoTime() + 5_000_000_000L;
                while (reply == null && System.nanoTime() < deadlineNs) {
                    reply = port.pollTransmitted();
                    Thread.onSpinWait();
                }
                assertNull(runner.firstError());
                assertEquals(42, reply == null ? -1 : reply.length, "the placed worker still forwards");
            }
            assertEquals(nice, workerNice.get());
        }
    }

    private static String cpusAllowed() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/thread-self/status"))) {
                if (line.startsWith("Cpus_allowed_list:")) {
                    return line.substring(line.indexOf(':') + 1).strip();
                }
            }
            return "?";
        } catch (IOException e) {
            return "unreadable: " + e.getMessage();
        }
    }

    private static <T> T runOnNewThread(java.util.function.Supplier<T> task) {
        final CompletableFuture<T> result = new CompletableFuture<>();
        final Thread thread = new Thread(() -> {
            try {
                result.complete(task.get());
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        }, "worker-thread-test");
        thread.start();
        try {
            return result.get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("the test thread failed: " + e, e);
        }
    }

    @Test
    void pinningIsRefusedNotThrownForACpuTheMachineLacks() {
        final String done = runOnNewThread(() -> new WorkerThread(WorkerThread.KEEP_NICE, 1023).applyToCurrentThread());
        assertTrue(done.startsWith("cpu 1023 refused (errno "), done);
    }
}
