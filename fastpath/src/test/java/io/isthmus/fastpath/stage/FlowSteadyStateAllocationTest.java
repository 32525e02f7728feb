package io.isthmus.fastpath.stage;

import io.isthmus.fastpath.frame.FrameMemory;
import io.isthmus.fastpath.frame.FramePool;
import io.isthmus.fastpath.pipeline.DropReason;
import io.isthmus.fastpath.pipeline.RouteTable;
import io.isthmus.fastpath.port.InMemoryPort;
import io.isthmus.fastpath.port.Port;
import io.isthmus.fastpath.port.PortCounters;
import io.isthmus.fastpath.testing.FlowTables;
import io.isthmus.fastpath.testing.TestFrames;
import io.isthmus.fastpath.worker.Worker;
import io.isthmus.lb.model.Protocol;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.util.Arrays;

import static io.isthmus.fastpath.testing.ThreePods.MAC_A;
import static io.isthmus.fastpath.testing.ThreePods.MAC_B;
import static io.isthmus.fastpath.testing.ThreePods.POD_A;
import static io.isthmus.fastpath.testing.ThreePods.POD_B;
import static io.isthmus.fastpath.testing.ThreePods.SWITCH_0;
import static io.isthmus.fastpath.testing.ThreePods.SWITCH_1;
import static io.isthmus.fastpath.testing.ThreePods.VIP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The full pipeline (conntrack, Service, policy, commit) allocates nothing in steady state: pod A
 * sends UDP to a ClusterIP whose backend is pod B, B answers A; after the first packets every
 * packet is ESTABLISHED or REPLY, DNATed / un-DNATed from its conntrack entry. 8 windows of 3 000
 * duty cycles; the thread's allocated-bytes counter must not move (apart from a JVM one-off).
 */
class FlowSteadyStateAllocationTest {

    @Test
    void establishedServiceTrafficAllocatesNothingPerPacket() {
        final java.lang.management.ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        assumeTrue(threads instanceof com.sun.management.ThreadMXBean bean && bean.isThreadAllocatedMemorySupported(),
                "this JVM cannot count allocated bytes per thread");
        final com.sun.management.ThreadMXBean bean = (com.sun.management.ThreadMXBean) threads;
        final FlowTables flow = new FlowTables(RouteTable.builder(1).port(0, SWITCH_0, POD_A).port(1, SWITCH_1, POD_B).build());
        flow.clusterIpService("dns", "10.96.0.10", Protocol.UDP, 53, 1053, "10.244.1.3");
        try (Arena arena = Arena.ofConfined()) {
            final FramePool pool = new FramePool(FrameMemory.allocate(arena, 512, 2048));
            final InMemoryPort a = new InMemoryPort(0, "a", pool, 16, 64);
            final InMemoryPort b = new InMemoryPort(1, "b", pool, 16, 64);
            a.generate(MemorySegment.ofArray(TestFrames.udpFrame(SWITCH_0, MAC_A, POD_A, VIP, 64, 5353, 53, new byte[18])), 60);
            b.generate(MemorySegment.ofArray(TestFrames.udpFrame(SWITCH_1, MAC_B, POD_B, POD_A, 64, 1053, 5353, new byte[18])), 60);
            a.discardTransmitted(true);
            b.discardTransmitted(true);
            final long[] now = {0};
            final Worker worker = Worker.switching("alloc", new Port[]{a, b}, pool, flow.tables(), flow.conntrack(), flow.settings(),
                    () -> now[0]);
            for (int cycle = 0; cycle < 1_000; cycle++) {
                worker.doWork();
            }
            final long[] windows = new long[8];
            for (int w = 0; w < windows.length; w++) {
                final long before = bean.getCurrentThreadAllocatedBytes();
                for (int cycle = 0; cycle < 3_000; cycle++) {
                    worker.doWork();
                }
                windows[w] = bean.getCurrentThreadAllocatedBytes() - before;
            }
            final String perWindow = Arrays.toString(windows);
            assertEquals(0, Arrays.stream(windows).min().orElseThrow(), "a window without allocation: " + perWindow);
            assertTrue(Arrays.stream(windows).filter(bytes -> bytes > 0).count() <= 2, "allocating windows: " + perWindow);
            assertEquals(1, flow.conntrack().size(), "one connection");
            assertEquals(worker.drops().total(), worker.drops().get(DropReason.NEIGHBOR_UNKNOWN) + worker.drops().get(DropReason.NO_ROUTE),
                    worker.drops().describe());
            assertTrue(a.counters().get(PortCounters.Counter.TX_PACKETS) > 100_000, "replies reached A un-DNATed");
        }
    }
}
