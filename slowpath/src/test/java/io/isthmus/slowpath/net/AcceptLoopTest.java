package io.isthmus.slowpath.net;

import org.agrona.concurrent.IdleStrategy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(30)
class AcceptLoopTest {
    private static final long RUN_MS = 1500;

    @Test
    void aPersistentAcceptErrorIsRetriedWithGrowingPausesNotInATightLoop() throws Exception {
        final AtomicBoolean open = new AtomicBoolean(true);
        final AtomicInteger accepts = new AtomicInteger();
        final AcceptLoop<Object> loop = new AcceptLoop<>("test listener", () -> {
            accepts.incrementAndGet();
            throw new IOException("Too many open files");
        }, connection -> { }, open::get);
        final Thread acceptor = Thread.ofPlatform().name("accept-loop-test").start(loop);
        Thread.sleep(RUN_MS);
        open.set(false);
        acceptor.join(TimeUnit.SECONDS.toMillis(5)); // at most one pause (1 s) after closing
        assertFalse(acceptor.isAlive(), "the loop ends once the socket is closed, even while accepts fail");
        // 1.5 s of 1, 2, 4 ... 1000 ms pauses after a few immediate retries: about 15 attempts; a tight loop makes millions.
        assertTrue(accepts.get() >= 3 && accepts.get() <= 40, accepts.get() + " accept attempts in " + RUN_MS + " ms");
    }

    @Test
    void eachFailurePausesAndASuccessStartsAgainFromNoPause() {
        final List<String> events = new ArrayList<>();
        final AtomicBoolean open = new AtomicBoolean(true);
        final int[] call = {0};
        final AcceptLoop<String> loop = new AcceptLoop<>("test listener", () -> {
            call[0]++;
            if (call[0] == 6) {
                open.set(false);
            }
            if (call[0] == 3 || call[0] == 6) {
                return "connection " + call[0];
            }
            throw new IOException("Too many open files");
        }, connection -> events.add("accepted " + connection), open::get, new RecordingBackoff(events));
        loop.run();
        assertEquals(List.of("idle", "idle", "reset", "accepted connection 3", "idle", "idle", "reset", "accepted connection 6"), events);
    }

    private record RecordingBackoff(List<String> events) implements IdleStrategy {
        @Override
        public void idle(int workCount) {
            events.add(workCount > 0 ? "reset" : "idle");
        }

        @Override
        public void idle() {
            events.add("idle");
        }

        @Override
        public void reset() {
            events.add("reset");
        }
    }
}
