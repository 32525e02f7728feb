package io.isthmus.fastpath.worker;

import io.isthmus.fastpath.frame.FrameMemory;
import io.isthmus.fastpath.frame.FramePool;
import io.isthmus.fastpath.pipeline.DropReason;
import io.isthmus.fastpath.pipeline.RouteTableRef;
import io.isthmus.fastpath.port.InMemoryPort;
import io.isthmus.fastpath.port.Port;
import io.isthmus.fastpath.port.PortCounters;
import io.isthmus.fastpath.testing.TestFrames;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;

import static io.isthmus.fastpath.worker.WorkerSwitchingTest.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The switching path allocates nothing in steady state: a worker over two generator ports runs
 * 8 windows of 5 000 duty cycles (2.56 M packets) and the thread's allocated-bytes counter does
 * not move, apart from a one-off the JVM may charge while it links or recompiles code.
 * (Not a timing test; the speed is JMH's job.)
 */
class SteadyStateAllocationTest {

    @Test
    void switchingAllocatesNothingPerPacket() {
        final java.lang.management.ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        assumeTrue(threads instanceof com.sun.management.ThreadMXBean bean && bean.isThreadAllocatedMemorySupported(),
                "this JVM cannot count allocated bytes per thread");
        final com.sun.management.ThreadMXBean bean = (com.sun.management.ThreadMXBean) threads;
        try (Arena arena = Arena.ofConfined()) {
            final FramePool pool = new FramePool(FrameMemory.allocate(arena, 512, 2048));
            final InMemoryPort a = new InMemoryPort(0, "a", pool, 16, 64);
            final InMemoryPort b = new InMemoryPort(1, "b", pool, 16, 64);
            a.generate(MemorySegment.ofArray(TestFrames.udpFrame(SWITCH_MAC_0, POD_MAC_A, POD_A, POD_B, 64, 1, 2, new byte[18])), 60);
            b.generate(MemorySegment.ofArray(TestFrames.udpFrame(SWITCH_MAC_1, POD_MAC_B, POD_B, POD_A, 64, 1, 2, new byte[18])), 60);
            a.discardTransmitted(true);
            b.discardTransmitted(true);
            final long[] now = {0};
            final Worker worker = Worker.switching("alloc", new Port[]{a, b}, pool, new RouteTableRef(twoPods()), () -> now[0]);
            for (int cycle = 0; cycle < 1_000; cycle++) { // learn both pods, warm up
                worker.doWork();
            }
            final long[] windows = new long[8];
            for (int w = 0; w < windows.length; w++) {
                final long before = bean.getCurrentThreadAllocatedBytes();
                for (int cycle = 0; cycle < 5_000; cycle++) {
                    worker.doWork();
                }
                windows[w] = bean.getCurrentThreadAllocatedBytes() - before;
            }
            // The JVM may charge a one-off (seen: 80 B, 2.5 KB) to this thread while it links or
            // recompiles code; per-packet or per-batch allocation would show in every window
            // (a window is 5 000 cycles = 320 000 packets).
            final String perWindow = java.util.Arrays.toString(windows);
            assertEquals(0, java.util.Arrays.stream(windows).min().orElseThrow(), "a window without allocation: " + perWindow);
            assertTrue(java.util.Arrays.stream(windows).filter(bytes -> bytes > 0).count() <= 2, "allocating windows: " + perWindow);
            assertEquals(worker.drops().total(), worker.drops().get(DropReason.NEIGHBOR_UNKNOWN), "only the first batch's misses");
            final long cyclesFromA = (1_000 + 8 * 5_000) / 2;
            assertEquals(cyclesFromA * 64 - 64 + 1, b.counters().get(PortCounters.Counter.TX_PACKETS),
                    "every packet from A reached B, except the first batch (which became one ARP request)");
        }
    }
}
