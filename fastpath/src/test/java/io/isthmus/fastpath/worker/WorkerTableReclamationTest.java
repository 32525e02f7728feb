package io.isthmus.fastpath.worker;

import io.isthmus.fastpath.control.FastpathTables;
import io.isthmus.fastpath.frame.FrameMemory;
import io.isthmus.fastpath.frame.FramePool;
import io.isthmus.fastpath.pipeline.FlowSettings;
import io.isthmus.fastpath.pipeline.RouteTable;
import io.isthmus.fastpath.pipeline.RouteTableRef;
import io.isthmus.lb.table.ServiceTable;
import io.isthmus.lb.table.ServiceTableBuilder;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A worker's duty cycle lets retired Service tables go; a stopped worker pins none. */
class WorkerTableReclamationTest {

    @Test
    void aGenerationIsFreedAfterTheWorkersNextCycleAndAStoppedWorkerPinsNothing() {
        try (Arena arena = Arena.ofConfined()) {
            final FramePool pool = new FramePool(FrameMemory.allocate(arena, 64, 2048));
            final FastpathTables tables = FastpathTables.empty(new RouteTableRef(RouteTable.empty()));
            final Worker worker = Worker.switching("reclaim", Worker.emptySlots(2), pool, tables, null, FlowSettings.defaults(), () -> 0L);
            final ServiceTable first = new ServiceTableBuilder(1).build();
            tables.services().publish(first);
            worker.doWork(); // the worker's batch reads the first generation

            final ServiceTable second = new ServiceTableBuilder(2).build();
            tables.services().publish(second);
            tables.reclaimer().reclaim();
            assertFalse(first.freed(), "the worker has not started a batch since the first generation was replaced");

            worker.doWork();
            assertSame(second, worker.context().services());
            tables.reclaimer().reclaim();
            assertTrue(first.freed(), "the worker moved on: the first generation is freed without a GC");

            tables.services().publish(new ServiceTableBuilder(3).build());
            tables.reclaimer().reclaim();
            assertFalse(second.freed());
            worker.onClose(); // the runner stopped
            tables.reclaimer().reclaim();
            assertTrue(second.freed(), "a stopped worker pins no generation");
        }
    }
}
