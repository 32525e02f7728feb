package io.isthmus.fastpath.testing;

import io.isthmus.conntrack.ConntrackTable;
import io.isthmus.fastpath.control.FastpathTables;
import io.isthmus.fastpath.frame.FrameMemory;
import io.isthmus.fastpath.frame.FramePool;
import io.isthmus.fastpath.pipeline.DropReason;
import io.isthmus.fastpath.pipeline.FlowSettings;
import io.isthmus.fastpath.pipeline.RouteTable;
import io.isthmus.fastpath.pipeline.RouteTableRef;
import io.isthmus.fastpath.port.InMemoryPort;
import io.isthmus.fastpath.port.Port;
import io.isthmus.fastpath.worker.Worker;

import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.List;

/**
 * The whole switching pipeline over in-memory ports, driven synchronously from the test thread
 * (no AgentRunner): {@link #send} a frame into a port, {@link #run} duty cycles until nothing
 * moves, then {@link #transmitted} what came out of a port. The clock is manual ({@link #advanceNs}).
 * Checks at the end of each run that every frame is back in the pool (none leaked, none doubled).
 */
public final class PipelineHarness implements AutoCloseable {
    private final Arena arena = Arena.ofConfined();
    private final FramePool pool;
    private final InMemoryPort[] ports;
    private final RouteTableRef routes;
    private final Worker worker;
    private long nowNs = 1_000_000_000L;

    public PipelineHarness(RouteTable table) {
        this(table, Math.max(1, table.portCount()));
    }

    public PipelineHarness(RouteTable table, int portCount) {
        this(FastpathTables.empty(new RouteTableRef(table)), null, FlowSettings.defaults(), portCount);
    }

    /** The full pipeline: {@code tables} and connection tracking in {@code conntrack} (null: none). */
    public PipelineHarness(FastpathTables tables, ConntrackTable conntrack, FlowSettings settings, int portCount) {
        this.pool = new FramePool(FrameMemory.allocate(arena, 512, 2048));
        this.ports = new InMemoryPort[portCount];
        for (int i = 0; i < portCount; i++) {
            ports[i] = new InMemoryPort(i, "mem" + i, pool);
        }
        this.routes = tables.routes();
        this.worker = Worker.switching("harness", ports.clone(), pool, tables, conntrack, settings, () -> nowNs);
    }

    public void send(int port, byte[] frame) {
        if (!ports[port].inject(frame)) {
            throw new IllegalStateException("port " + port + " input queue full");
        }
    }

    /** Runs duty cycles until one does no work (at most 1000); returns the work done. */
    public int run() {
        int total = 0;
        for (int cycle = 0; cycle < 1000; cycle++) {
            final int work = worker.doWork();
            if (work == 0) {
                if (pool.available() != pool.capacity()) {
                    throw new AssertionError("frame leak: " + (pool.capacity() - pool.available()) + " frames not back in the pool");
                }
                return total;
            }
            total += work;
        }
        throw new AssertionError("pipeline still busy after 1000 duty cycles");
    }

    /** Everything port {@code port} transmitted since the last call, in order. */
    public List<byte[]> transmitted(int port) {
        final List<byte[]> frames = new ArrayList<>();
        for (byte[] frame; (frame = ports[port].pollTransmitted()) != null; ) {
            frames.add(frame);
        }
        return frames;
    }

    public long drops(DropReason reason) {
        return worker.drops().get(reason);
    }

    public void publish(RouteTable table) {
        routes.publish(table);
    }

    public void advanceNs(long deltaNs) {
        nowNs += deltaNs;
    }

    public Worker worker() {
        return worker;
    }

    public Port port(int id) {
        return ports[id];
    }

    @Override
    public void close() {
        worker.onClose();
        arena.close();
    }
}
