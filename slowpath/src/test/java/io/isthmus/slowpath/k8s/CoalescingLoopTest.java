package io.isthmus.slowpath.k8s;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The controllers' loop thread: a wake runs a pass, wakes during a pass coalesce, a failing pass is reported, close stops it. */
class CoalescingLoopTest {
    private static final long LONG_PERIOD_MS = 60_000; // no timed pass within a test

    @Test
    @Timeout(10)
    void wakesDuringAPassCoalesceIntoOneMorePass() throws Exception {
        final AtomicInteger passes = new AtomicInteger();
        final CountDownLatch inFirstPass = new CountDownLatch(1);
        final CountDownLatch releaseFirstPass = new CountDownLatch(1);
        final CountDownLatch secondPass = new CountDownLatch(1);
        try (CoalescingLoop loop = new CoalescingLoop("test-loop", LONG_PERIOD_MS, () -> {
            if (passes.incrementAndGet() == 1) {
                inFirstPass.countDown();
                await(releaseFirstPass);
            } else {
                secondPass.countDown();
            }
        }, e -> { })) {
            loop.start();
            loop.wake();
            assertTrue(inFirstPass.await(5, TimeUnit.SECONDS), "a wake ran a pass");
            for (int i = 0; i < 10; i++) {
                loop.wake();
            }
            releaseFirstPass.countDown();
            assertTrue(secondPass.await(5, TimeUnit.SECONDS), "the wakes during the pass ran one more");
            Thread.sleep(200);
            assertEquals(2, passes.get(), "ten wakes, one pass");
        }
    }

    @Test
    @Timeout(10)
    void aFailingPassIsReportedAndTheLoopGoesOn() throws Exception {
        final RuntimeException failure = new IllegalStateException("boom");
        final AtomicReference<RuntimeException> reported = new AtomicReference<>();
        final AtomicInteger passes = new AtomicInteger();
        final CountDownLatch second = new CountDownLatch(1);
        try (CoalescingLoop loop = new CoalescingLoop("test-loop", LONG_PERIOD_MS, () -> {
            if (passes.incrementAndGet() == 1) {
                throw failure;
            }
            second.countDown();
        }, reported::set)) {
            loop.start();
            loop.wake();
            for (int i = 0; i < 100 && reported.get() == null; i++) { // bounded: 5 s
                Thread.sleep(50);
            }
            assertSame(failure, reported.get());
            loop.wake();
            assertTrue(second.await(5, TimeUnit.SECONDS), "the loop went on after the failure");
        }
    }

    @Test
    @Timeout(10)
    void closeStopsTheThreadAndNoPassFollows() throws Exception {
        final AtomicInteger passes = new AtomicInteger();
        final CoalescingLoop loop = new CoalescingLoop("test-loop-close", 10, passes::incrementAndGet, e -> { });
        loop.start();
        for (int i = 0; i < 100 && passes.get() == 0; i++) { // bounded: 5 s; the 10 ms period runs passes unwoken
            Thread.sleep(50);
        }
        assertTrue(passes.get() > 0, "the period ran a pass without a wake");
        loop.close();
        final int afterClose = passes.get();
        Thread.sleep(100);
        assertEquals(afterClose, passes.get(), "no pass after close");
        assertFalse(Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().equals("test-loop-close")),
                "the thread ended");
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
