package io.isthmus.fastpath.stage;

import io.isthmus.dns.zone.Zone;
import io.isthmus.fastpath.control.Published;
import io.isthmus.fastpath.frame.FrameMemory;
import io.isthmus.fastpath.frame.FramePool;
import io.isthmus.fastpath.pipeline.PipelineContext;
import io.isthmus.fastpath.pipeline.RouteTableRef;
import io.isthmus.fastpath.port.InMemoryPort;
import io.isthmus.fastpath.port.Port;
import io.isthmus.fastpath.port.PortCounters;
import io.isthmus.fastpath.punt.InjectQueue;
import io.isthmus.fastpath.punt.PuntHandler;
import io.isthmus.fastpath.punt.PuntQueue;
import io.isthmus.fastpath.worker.Worker;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.Type;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.management.ManagementFactory;
import java.util.Arrays;

import static io.isthmus.fastpath.stage.DnsStageFixtures.*;
import static io.isthmus.fastpath.stage.StageFixtures.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The DNS path allocates nothing in steady state: a worker running the switching pipeline with the
 * DNS stage answers a stream of cluster queries on one port and punts a stream of outside queries
 * on another; in the same thread the punt queue is drained and a reply is injected back every
 * cycle. Over 12 windows of 2 000 duty cycles (up to 128 000 packets each) the thread's
 * allocated-bytes counter must stay at 0 in most windows and below 2 000 bytes (less than a byte
 * per duty cycle) in every one: the JVM charges small one-offs (seen: 88-288 B) to the thread
 * while it recompiles, whereas one allocation per packet or per cycle would be 32 KB or more per
 * window.
 */
class DnsStageAllocationTest {

    @Test
    void answeringPuntingAndInjectingAllocateNothing() {
        final java.lang.management.ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        assumeTrue(threads instanceof com.sun.management.ThreadMXBean bean && bean.isThreadAllocatedMemorySupported(),
                "this JVM cannot count allocated bytes per thread");
        final com.sun.management.ThreadMXBean bean = (com.sun.management.ThreadMXBean) threads;
        try (Arena arena = Arena.ofConfined(); PuntQueue punts = new PuntQueue(1 << 20); InjectQueue injects = new InjectQueue()) {
            final FramePool pool = new FramePool(FrameMemory.allocate(arena, 512, 2048));
            final InMemoryPort a = new InMemoryPort(0, "a", pool, 16, 64);
            final InMemoryPort b = new InMemoryPort(1, "b", pool, 16, 64);
            a.generate(MemorySegment.ofArray(queryFrame(SWITCH_MAC_0, POD_MAC_A, POD_A, query("web.default.svc.cluster.local.", Type.A))),
                    queryFrame(SWITCH_MAC_0, POD_MAC_A, POD_A, query("web.default.svc.cluster.local.", Type.A)).length);
            final byte[] outside = queryFrame(SWITCH_MAC_1, POD_MAC_B, POD_B, query("www.example.com.", Type.A));
            b.generate(MemorySegment.ofArray(outside), outside.length);
            a.discardTransmitted(true);
            b.discardTransmitted(true);
            final Port[] ports = {a, b};
            final PipelineContext context = new PipelineContext(ports, pool, new RouteTableRef(StageFixtures.table()), Worker.ARP_REQUEST_INTERVAL_NS);
            final Published<Zone> zone = new Published<>(DnsStageFixtures.zone());
            final Worker worker = new Worker("dns-alloc", ports, context,
                    SwitchingPipeline.create(context, new DnsStageSettings(DNS_SERVICE_IP, DNS_PORT, zone, punts)), () -> 0L);
            final MemorySegment reply = arena.allocate(outside.length);
            MemorySegment.copy(outside, 0, reply, ValueLayout.JAVA_BYTE, 0, outside.length);
            final long[] drained = {0};
            final PuntHandler handler = (memory, offset, length, port) -> drained[0] += length;
            final Runnable cycle = () -> {
                worker.doWork();
                punts.drain(handler, 256);
                injects.offer(reply, 0, outside.length, 1);
                injects.transmitInto(context, 16);
            };
            for (int n = 0; n < 5_000; n++) { // warm up
                cycle.run();
            }
            final long[] windows = new long[12];
            for (int w = 0; w < windows.length; w++) {
                final long before = bean.getCurrentThreadAllocatedBytes();
                for (int n = 0; n < 2_000; n++) {
                    cycle.run();
                }
                windows[w] = bean.getCurrentThreadAllocatedBytes() - before;
            }
            final String perWindow = Arrays.toString(windows);
            assertEquals(0, Arrays.stream(windows).min().orElseThrow(), "a window without allocation: " + perWindow);
            assertTrue(Arrays.stream(windows).filter(bytes -> bytes == 0).count() >= windows.length / 2, "windows without allocation: " + perWindow);
            assertTrue(Arrays.stream(windows).max().orElseThrow() < 2_000, "less than a byte per duty cycle in every window: " + perWindow);
            final long cycles = 5_000 + windows.length * 2_000;
            assertTrue(a.counters().get(PortCounters.Counter.TX_PACKETS) >= cycles * 32, "answers left port a: "
                    + a.counters().get(PortCounters.Counter.TX_PACKETS));
            assertEquals(0, punts.droppedFrames());
            assertTrue(punts.puntedFrames() >= cycles * 32, "punted: " + punts.puntedFrames());
            assertEquals(drained[0], punts.puntedFrames() * outside.length);
            assertEquals(cycles, injects.transmittedFrames());
            assertEquals(0, worker.drops().total(), worker.drops().describe());
        }
    }
}
