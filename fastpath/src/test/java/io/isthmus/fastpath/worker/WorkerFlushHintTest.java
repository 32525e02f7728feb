package io.isthmus.fastpath.worker;

import io.isthmus.fastpath.frame.FrameMemory;
import io.isthmus.fastpath.frame.FramePool;
import io.isthmus.fastpath.pipeline.PacketBatch;
import io.isthmus.fastpath.pipeline.RouteTableRef;
import io.isthmus.fastpath.port.InMemoryPort;
import io.isthmus.fastpath.port.Port;
import io.isthmus.fastpath.port.PortCounters;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.List;

import static io.isthmus.fastpath.worker.WorkerSwitchingTest.*;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The worker tells its ports, at flush, whether its batch came in full (another cycle follows at once). */
class WorkerFlushHintTest {

    /** An in-memory port that remembers what each flush was told. */
    private static final class RecordingPort implements Port {
        final InMemoryPort inner;
        final List<Boolean> hints = new ArrayList<>();

        RecordingPort(InMemoryPort inner) {
            this.inner = inner;
        }

        @Override public int id() { return inner.id(); }
        @Override public String name() { return inner.name(); }
        @Override public int receive(PacketBatch batch) { return inner.receive(batch); }
        @Override public boolean transmit(long address, int lengthBytes) { return inner.transmit(address, lengthBytes); }
        @Override public PortCounters counters() { return inner.counters(); }
        @Override public void close() { inner.close(); }

        @Override
        public int flush() {
            throw new AssertionError("the worker must call flush(moreComing)");
        }

        @Override
        public int flush(boolean moreComing) {
            hints.add(moreComing);
            return inner.flush();
        }
    }

    @Test
    void onlyAFullBatchTellsThePortsMoreIsComing() {
        try (Arena arena = Arena.ofConfined()) {
            final FramePool pool = new FramePool(FrameMemory.allocate(arena, 1024, 2048));
            final RecordingPort a = new RecordingPort(new InMemoryPort(0, "a", pool, 512, 512));
            final RecordingPort b = new RecordingPort(new InMemoryPort(1, "b", pool, 512, 512));
            b.inner.discardTransmitted(true);
            final Worker worker = Worker.switching("hint", new Port[] {a, b}, pool, new RouteTableRef(twoPods()), () -> 1L);
            final int frames = 2 * PacketBatch.CAPACITY + 10;
            for (int n = 0; n < frames; n++) {
                a.inner.inject(WorkerCycleTest.udp(SWITCH_MAC_0, POD_MAC_A, POD_A, POD_B, n));
            }
            worker.doWork();
            worker.doWork();
            worker.doWork();
            worker.doWork();
            assertEquals(List.of(true, true, false, false), a.hints, "full, full, 10 frames, nothing");
            assertEquals(a.hints, b.hints, "every port hears the same");
        }
    }
}
