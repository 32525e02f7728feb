package io.isthmus.fastpath.testing;

import io.isthmus.conntrack.ConntrackTable;
import io.isthmus.fastpath.control.FastpathTables;
import io.isthmus.fastpath.frame.FrameMemory;
import io.isthmus.fastpath.frame.FramePool;
import io.isthmus.fastpath.pipeline.DropReason;
import io.isthmus.fastpath.pipeline.FlowSettings;
import io.isthmus.fastpath.pipeline.PacketBatch;
import io.isthmus.fastpath.pipeline.PipelineContext;
import io.isthmus.fastpath.pipeline.RouteTable;
import io.isthmus.fastpath.pipeline.RouteTableRef;
import io.isthmus.fastpath.pipeline.Stage;
import io.isthmus.fastpath.port.InMemoryPort;
import io.isthmus.fastpath.port.Port;

import java.lang.foreign.Arena;
import java.lang.foreign.ValueLayout;
import java.util.function.Function;

/**
 * Runs one {@link Stage} on a batch built in the test, with no worker and no sockets (the
 * pipeline's {@code EmbeddedChannel}): {@link #add} frames (as received on a port), {@link #run}
 * the stage, then look at {@link #batch()}, {@link #frame(int)} and {@link #drops}. Ports are
 * {@link InMemoryPort}s, so a TX stage's output can be read with {@link #transmitted}.
 *
 * <p>{@link #close()} checks frame accounting: every frame is back in the pool, still in the batch,
 * or queued on a port — none lost, none duplicated.
 */
public final class StageHarness implements AutoCloseable {
    private final Arena arena = Arena.ofConfined();
    private final FramePool pool;
    private final InMemoryPort[] ports;
    private final RouteTableRef routes;
    private final PipelineContext context;
    private final PacketBatch batch;
    private long nowNs = 5_000_000_000L;

    public StageHarness(RouteTable table, int portCount, int txCapacityFrames) {
        this(FastpathTables.empty(new RouteTableRef(table)), null, FlowSettings.defaults(), portCount, txCapacityFrames);
    }

    /** A harness whose context has every table of {@code tables} and connection tracking in {@code conntrack}. */
    public StageHarness(FastpathTables tables, ConntrackTable conntrack, FlowSettings settings, int portCount, int txCapacityFrames) {
        this.pool = new FramePool(FrameMemory.allocate(arena, 256, 2048));
        this.ports = new InMemoryPort[portCount];
        for (int i = 0; i < portCount; i++) {
            ports[i] = new InMemoryPort(i, "stage-port" + i, pool, 1024, txCapacityFrames);
        }
        this.routes = tables.routes();
        this.context = new PipelineContext(ports.clone(), pool, tables, conntrack, settings, 1_000_000L);
        this.batch = new PacketBatch(pool.memory());
    }

    public StageHarness(RouteTable table) {
        this(table, Math.max(1, table.portCount()), 256);
    }

    /** Builds the stage under test over this harness's context. */
    public <S extends Stage> S stage(Function<PipelineContext, S> constructor) {
        return constructor.apply(context);
    }

    /** Adds {@code frame} to the batch as received on {@code ingressPort}; returns its index. */
    public int add(int ingressPort, byte[] frame) {
        final long address = pool.acquire();
        copyIn(frame, address);
        return batch.add(address, frame.length, ingressPort);
    }

    private void copyIn(byte[] frame, long address) {
        java.lang.foreign.MemorySegment.copy(frame, 0, batch.segment(), ValueLayout.JAVA_BYTE, address, frame.length);
    }

    /** Runs {@code stage} once over the batch (after picking up the route table, like a worker). */
    public int run(Stage stage) {
        context.beginBatch(nowNs);
        final int left = stage.process(batch);
        if (left != batch.size()) {
            throw new AssertionError("stage returned " + left + " but left " + batch.size() + " packets in the batch");
        }
        return left;
    }

    /** Runs several stages in order, like a pipeline. */
    public int run(Stage... stages) {
        int left = batch.size();
        for (Stage stage : stages) {
            left = run(stage);
        }
        return left;
    }

    public PacketBatch batch() {
        return batch;
    }

    /** The bytes of packet {@code i} of the batch as they are now. */
    public byte[] frame(int i) {
        return batch.segment().asSlice(batch.address[i], batch.length[i]).toArray(ValueLayout.JAVA_BYTE);
    }

    public long drops(DropReason reason) {
        return context.drops().get(reason);
    }

    public long totalDrops() {
        return context.drops().total();
    }

    public PipelineContext context() {
        return context;
    }

    public void publish(RouteTable table) {
        routes.publish(table);
    }

    public void advanceNs(long deltaNs) {
        nowNs += deltaNs;
    }

    public Port port(int id) {
        return ports[id];
    }

    /** Flushes port {@code id} and returns the next frame it transmitted, or null. */
    public byte[] transmitted(int id) {
        ports[id].flush();
        return ports[id].pollTransmitted();
    }

    public int framesInPool() {
        return pool.available();
    }

    @Override
    public void close() {
        for (InMemoryPort port : ports) {
            port.flush();
        }
        final int inBatch = batch.size();
        if (pool.available() + inBatch != pool.capacity()) {
            throw new AssertionError("frame accounting: " + pool.available() + " in pool + " + inBatch
                    + " in batch != " + pool.capacity());
        }
        arena.close();
    }
}
