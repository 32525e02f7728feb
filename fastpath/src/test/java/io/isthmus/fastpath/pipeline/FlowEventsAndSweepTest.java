package io.isthmus.fastpath.pipeline;

import io.isthmus.fastpath.frame.FrameMemory;
import io.isthmus.fastpath.frame.FramePool;
import io.isthmus.fastpath.port.InMemoryPort;
import io.isthmus.fastpath.port.Port;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class FlowEventsAndSweepTest {

    @Test
    void eventsComeOutInOrderAndAFullRingCountsWhatItLoses() {
        final FlowEvents events = new FlowEvents(4);
        for (int n = 0; n < 6; n++) {
            events.record(FlowEvents.KIND_POLICY_DENIED, DropReason.POLICY_DENIED, 6, 0x0A000001 + n, 1000 + n, 0xC0A80001, 80, n % 2 == 0 ? 3 : -1);
        }
        assertEquals(2, events.lost());
        final List<String> seen = new ArrayList<>();
        assertEquals(3, events.drain((kind, reason, protocol, src, srcPort, dst, dstPort, ingress) ->
                seen.add(kind + " " + reason + " " + protocol + " " + Integer.toHexString(src) + ":" + srcPort + " "
                        + Integer.toHexString(dst) + ":" + dstPort + " " + ingress), 3));
        assertEquals(List.of("1 POLICY_DENIED 6 a000001:1000 c0a80001:80 3", "1 POLICY_DENIED 6 a000002:1001 c0a80001:80 -1",
                "1 POLICY_DENIED 6 a000003:1002 c0a80001:80 3"), seen);
        events.record(FlowEvents.KIND_SERVICE_REJECTED, DropReason.SERVICE_REJECTED, 17, 1, 2, 3, 4, 0);
        assertEquals(2, events.pending());
        assertEquals(2, events.drain((kind, reason, protocol, src, srcPort, dst, dstPort, ingress) -> { }, 10));
        assertEquals(2, events.lost());
        assertThrows(IllegalArgumentException.class, () -> new FlowEvents(3));
    }

    @Test
    void sweepDropsCountsReleasesAndKeepsTheSurvivorsInOrder() {
        try (Arena arena = Arena.ofConfined()) {
            final FramePool pool = new FramePool(FrameMemory.allocate(arena, 128, 2048));
            final Port port = new InMemoryPort(0, "p0", pool);
            final PipelineContext context = new PipelineContext(new Port[] {port}, pool,
                    new RouteTableRef(RouteTable.builder(1).port(0, 2, 0x0A000002).build()), 1_000_000L);
            final PacketBatch batch = new PacketBatch(pool.memory());
            for (int i = 0; i < PacketBatch.CAPACITY; i++) {
                batch.add(pool.acquire(), 60, 0);
                batch.key[i] = i;
            }
            final int before = pool.available();
            for (int i = 0; i < PacketBatch.CAPACITY; i += 3) {
                batch.markDrop(i, DropReason.NO_ROUTE);
            }
            batch.markDrop(62, DropReason.TTL_EXPIRED);
            final int left = context.sweepDrops(batch);
            assertEquals(PacketBatch.CAPACITY - 22 - 1, left);
            assertEquals(left, batch.size());
            assertEquals(before + 23, pool.available());
            assertEquals(22, context.drops().get(DropReason.NO_ROUTE));
            assertEquals(1, context.drops().get(DropReason.TTL_EXPIRED));
            int expect = 0;
            for (int i = 0; i < left; i++) {
                while (expect % 3 == 0 || expect == 62) {
                    expect++;
                }
                assertEquals(expect++, batch.key[i], "survivor " + i);
            }
            assertEquals(left, context.sweepDrops(batch), "marks are cleared by a sweep");
            for (int i = 0; i < left; i++) {
                pool.release(batch.address[i]);
            }
        }
    }
}
