package io.isthmus.fastpath.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.isthmus.conntrack.ConntrackSweeper;
import io.isthmus.conntrack.ConntrackTable;
import io.isthmus.conntrack.ConntrackTimeouts;
import io.isthmus.conntrack.nat.SnatPortPool;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * The control agent's cycle, driven by hand (no thread, no AF_XDP): a barrier queued after a
 * desired change completes only once the cycle's after-requests step (the compile and publish)
 * has run, so whoever waits for it sees the change in effect, not merely applied.
 */
class ControlAgentTest {

    @Test
    void aBarrierCompletesAfterTheCompileOfItsCycleNotDuringTheDrain() {
        final List<String> steps = new ArrayList<>();
        try (ConntrackTable conntrack = ConntrackTable.createInMemory(1024, ConntrackTimeouts.linuxDefaults(), new SnatPortPool())) {
            final ControlAgent agent = new ControlAgent(new ConntrackSweeper(conntrack, 64), Duration.ofSeconds(1), Duration.ofSeconds(1),
                    () -> steps.add("compile"));
            agent.submit(() -> steps.add("apply slice"));
            final CompletableFuture<Void> barrier = new CompletableFuture<>();
            barrier.thenRun(() -> steps.add("barrier"));
            agent.submitBarrier(barrier);
            assertFalse(barrier.isDone(), "nothing ran yet");

            agent.doWork();

            assertTrue(barrier.isDone());
            assertEquals(List.of("apply slice", "compile", "barrier"), steps,
                    "the barrier's waiter must see the compiled table (it used to complete before the compile)");
        }
    }
}
