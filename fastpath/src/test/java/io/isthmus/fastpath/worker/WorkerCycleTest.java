package io.isthmus.fastpath.worker;

import io.isthmus.fastpath.pipeline.DropReason;
import io.isthmus.fastpath.pipeline.RouteTable;
import io.isthmus.fastpath.port.PortCounters;
import io.isthmus.fastpath.testing.PipelineHarness;
import io.isthmus.fastpath.testing.TestFrames;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.isthmus.fastpath.worker.WorkerSwitchingTest.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class WorkerCycleTest {

    static byte[] udp(long dstMac, long srcMac, int src, int dst, int sourcePort) {
        return TestFrames.udpFrame(dstMac, srcMac, src, dst, 64, sourcePort, 9, new byte[4]);
    }

    @Test
    void onePortCannotStarveAnother() {
        try (PipelineHarness harness = new PipelineHarness(twoPods())) {
            for (int n = 0; n < 200; n++) {
                harness.send(0, udp(SWITCH_MAC_0, POD_MAC_A, POD_A, 0x0A090909, n)); // no route: dropped
                harness.send(1, udp(SWITCH_MAC_1, POD_MAC_B, POD_B, 0x0A090909, n));
            }
            harness.worker().doWork();
            harness.worker().doWork();
            assertEquals(64, harness.port(0).counters().get(PortCounters.Counter.RX_PACKETS));
            assertEquals(64, harness.port(1).counters().get(PortCounters.Counter.RX_PACKETS));
            harness.run();
            assertEquals(400, harness.drops(DropReason.NO_ROUTE));
            assertEquals(200, harness.port(1).counters().get(PortCounters.Counter.RX_DROPPED));
        }
    }

    @Test
    void aPublishedGenerationIsUsedFromTheNextBatch() {
        try (PipelineHarness harness = new PipelineHarness(twoPods())) {
            harness.send(1, TestFrames.arpRequestFrame(POD_MAC_B, POD_B, GATEWAY));
            harness.run();
            harness.transmitted(1);
            final int podC = POD_B + 1;
            final byte[] toC = udp(SWITCH_MAC_0, POD_MAC_A, POD_A, podC, 1);
            harness.send(0, toC);
            harness.run();
            assertEquals(1, harness.drops(DropReason.NO_ROUTE));

            // the control side moves B out and C in on port 1: B's learned MAC must be forgotten
            harness.publish(RouteTable.builder(2).port(0, SWITCH_MAC_0, POD_A).port(1, SWITCH_MAC_1, podC).build());
            harness.send(0, toC);
            harness.run();
            assertEquals(1, harness.drops(DropReason.NEIGHBOR_UNKNOWN), "C's MAC is not B's");
            final List<byte[]> arp = harness.transmitted(1);
            assertEquals(1, arp.size());
            assertArrayEquals(TestFrames.ethernet(0xFFFF_FFFF_FFFFL, SWITCH_MAC_1, TestFrames.ETHER_ARP,
                    TestFrames.arp(1, SWITCH_MAC_1, GATEWAY, 0, podC)), arp.get(0));
            assertEquals(2, harness.worker().context().table().generation());
        }
    }

    @Test
    void portsMustSitAtTheirIdInTheWorkersTable() {
        try (PipelineHarness harness = new PipelineHarness(twoPods())) {
            final IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                    () -> Worker.switching("bad", new io.isthmus.fastpath.port.Port[]{harness.port(1)},
                            harness.worker().context().pool(), new io.isthmus.fastpath.pipeline.RouteTableRef(twoPods()), () -> 0));
            assertEquals("port 'mem1' has id 1 but sits at index 0 of the worker's port table", error.getMessage());
        }
    }

    @Test
    void theContextsPortTableIsTheWorkersOnlyOne() throws Exception {
        try (java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofShared()) {
            final io.isthmus.fastpath.frame.FramePool pool = new io.isthmus.fastpath.frame.FramePool(
                    io.isthmus.fastpath.frame.FrameMemory.allocate(arena, 64, 2048));
            final Worker worker = Worker.switchingWithSlots("one-table", 3, pool,
                    new io.isthmus.fastpath.pipeline.RouteTableRef(RouteTable.empty()), () -> 0);
            final io.isthmus.fastpath.port.InMemoryPort port = new io.isthmus.fastpath.port.InMemoryPort(2, "p2", pool);
            final java.util.concurrent.CompletableFuture<Void> attached = worker.attach(port, 0);
            worker.doWork();
            attached.get(1, java.util.concurrent.TimeUnit.SECONDS);
            assertEquals(port, worker.context().port(2));
            assertEquals(port, worker.port(2));
            assertEquals(port, worker.portAt(2));
            final java.util.concurrent.CompletableFuture<io.isthmus.fastpath.port.Port> detached = worker.detach(2);
            worker.doWork();
            assertEquals(port, detached.get(1, java.util.concurrent.TimeUnit.SECONDS));
            assertEquals(true, worker.context().port(2).isEmpty());
            assertEquals(worker.context().port(2), worker.portAt(2));

            // a worker over a port array that is not its context's table is refused
            final io.isthmus.fastpath.port.Port[] other = Worker.emptySlots(3);
            final IllegalArgumentException error = assertThrows(IllegalArgumentException.class, () -> new Worker("mismatch", other,
                    worker.context(), new io.isthmus.fastpath.pipeline.Pipeline(), () -> 0));
            assertEquals("worker 'mismatch': port '(free slot 0)' in slot 0 is not the context's ('(free slot 0)')", error.getMessage());
        }
    }

    @Test
    void idleModesParseAndRunAWorkerThread() throws Exception {
        assertEquals(IdleMode.BUSY_SPIN, IdleMode.parse("busy-spin"));
        assertEquals(IdleMode.BACKOFF, IdleMode.parse("BACKOFF"));
        assertEquals(IdleMode.YIELD, IdleMode.parse("yield"));
        assertThrows(IllegalArgumentException.class, () -> IdleMode.parse("sleep"));
        for (IdleMode mode : IdleMode.values()) {
            try (java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofShared()) {
                final io.isthmus.fastpath.frame.FramePool pool = new io.isthmus.fastpath.frame.FramePool(
                        io.isthmus.fastpath.frame.FrameMemory.allocate(arena, 64, 2048));
                final io.isthmus.fastpath.port.InMemoryPort port = new io.isthmus.fastpath.port.InMemoryPort(0, "p0", pool);
                final Worker worker = Worker.switching("idle-" + mode, new io.isthmus.fastpath.port.Port[]{port}, pool,
                        new io.isthmus.fastpath.pipeline.RouteTableRef(RouteTable.builder(1).port(0, SWITCH_MAC_0, POD_A).build()),
                        new org.agrona.concurrent.SystemNanoClock());
                byte[] reply = null;
                try (WorkerRunner runner = WorkerRunner.start(worker, mode)) {
                    port.inject(TestFrames.arpRequestFrame(POD_MAC_A, POD_A, GATEWAY));
                    final long deadlineNs = System.nanoTime() + 5_000_000_000L;
                    while (reply == null && System.nanoTime() < deadlineNs) {
                        reply = port.pollTransmitted();
                        Thread.onSpinWait();
                    }
                    assertEquals(null, runner.firstError());
                }
                assertEquals(42, reply == null ? -1 : reply.length, mode + ": ARP reply from the worker thread");
            }
        }
    }
}
