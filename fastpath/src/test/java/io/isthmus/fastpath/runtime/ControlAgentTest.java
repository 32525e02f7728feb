package io.isthmus.fastpath.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.isthmus.conntrack.ConntrackSweeper;
import io.isthmus.conntrack.ConntrackTable;
import io.isthmus.conntrack.ConntrackTimeouts;
import io.isthmus.conntrack.nat.SnatPortPool;
import io.isthmus.fastpath.control.DesiredKind;
import io.isthmus.policy.model.NamespaceInfo;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * The control agent's cycle, driven by hand (no agent thread, no AF_XDP): a barrier queued after a
 * desired change completes only once the cycle's after-requests step (the compile and publish)
 * has run, so whoever waits for it sees the change in effect, not merely applied. (A barrier that
 * completed during the drain let AfXdpServiceGlueTest send its first datagram to a Service whose
 * published table had no endpoints yet: answered by a reject.)
 */
class ControlAgentTest {

    @Test
    void aBarrierCompletesAfterTheCompileOfItsCycleNotDuringTheDrain() {
        final List<String> steps = new ArrayList<>();
        final DesiredRecords desired = new DesiredRecords();
        try (ConntrackTable conntrack = ConntrackTable.createInMemory(1024, ConntrackTimeouts.linuxDefaults(), new SnatPortPool())) {
            final ControlAgent agent = new ControlAgent(new ConntrackSweeper(conntrack, 64), Duration.ofSeconds(1), Duration.ofSeconds(1),
                    () -> steps.add("compile " + desired.snapshot(DesiredKind.POLICY_NAMESPACE).keySet()));
            final LocalFastpathControl control = new LocalFastpathControl(agent, desired, null); // no port requests here
            control.upsert(DesiredKind.POLICY_NAMESPACE, "a", NamespaceInfo.of("a", Map.of()));
            final CompletableFuture<Void> barrier = control.barrier();
            barrier.thenRun(() -> steps.add("barrier"));
            assertFalse(barrier.isDone(), "nothing ran yet");

            agent.doWork();

            assertTrue(barrier.isDone(), "one cycle answers the barrier");
            assertEquals(List.of("compile [a]", "barrier"), steps,
                    "the barrier's waiter must find the change compiled and published (it used to be answered before the compile)");
        }
    }
}
