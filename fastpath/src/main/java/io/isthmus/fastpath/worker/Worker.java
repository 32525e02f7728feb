package io.isthmus.fastpath.worker;

import io.isthmus.conntrack.ConntrackTable;
import io.isthmus.fastpath.control.FastpathTables;
import io.isthmus.fastpath.frame.FramePool;
import io.isthmus.fastpath.pipeline.FlowSettings;
import io.isthmus.fastpath.pipeline.DropCounters;
import io.isthmus.fastpath.pipeline.NeighborTable;
import io.isthmus.fastpath.pipeline.PacketBatch;
import io.isthmus.fastpath.pipeline.Pipeline;
import io.isthmus.fastpath.pipeline.PipelineContext;
import io.isthmus.fastpath.pipeline.RouteTableRef;
import io.isthmus.fastpath.port.Port;
import io.isthmus.fastpath.stage.SwitchingPipeline;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.NanoClock;

/**
 * A poll-mode worker: an Agrona {@link Agent} whose duty cycle reads the clock once, picks up the
 * latest route table generation, fills one {@link PacketBatch} from its ports round-robin (starting
 * one port further each cycle, so no port starves when the batch fills early), runs the pipeline
 * over it, then flushes every port (publish TX, reclaim completions, refill RX).
 *
 * <pre>
 *   doWork():  now = clock ─▶ context.beginBatch(now) ─▶ ports[k..k-1].receive(batch)
 *                         ─▶ pipeline.run(batch) ─▶ ports[*].flush() ─▶ return received + flushed
 * </pre>
 *
 * Run it with {@link WorkerRunner} (AgentRunner + a selectable idle strategy) or call
 * {@link #doWork()} from a test. Steady state: no allocation, no exceptions, no locks.
 *
 * <p><b>Thread-safety:</b> everything in a worker (ports, pool, batch, stages, neighbor table)
 * belongs to the one thread that calls {@link #doWork()}. Other threads may read
 * {@link #drops()}, {@link #neighbors()} and the ports' counters, and publish route tables
 * through the {@link RouteTableRef}.
 */
public final class Worker implements Agent {
    /** Default minimum interval between ARP requests for one port's pod. */
    public static final long ARP_REQUEST_INTERVAL_NS = 100_000_000L;

    private final String roleName;
    private final Port[] ports;
    private final PipelineContext context;
    private final Pipeline pipeline;
    private final PacketBatch batch;
    private final NanoClock clock;
    private int nextPort;

    /** A worker running the standard {@link SwitchingPipeline}. */
    public static Worker switching(String roleName, Port[] ports, FramePool pool, RouteTableRef routes, NanoClock clock) {
        final PipelineContext context = new PipelineContext(ports, pool, routes, ARP_REQUEST_INTERVAL_NS);
        return new Worker(roleName, ports, context, SwitchingPipeline.create(context), clock);
    }

    /**
     * A worker running the full {@link SwitchingPipeline}: connection tracking in {@code conntrack}
     * (cursor stripe {@code settings.conntrackStripe()}), Services, policy and DNS from the
     * published {@code tables}.
     */
    public static Worker switching(String roleName, Port[] ports, FramePool pool, FastpathTables tables,
                                   ConntrackTable conntrack, FlowSettings settings, NanoClock clock) {
        final PipelineContext context = new PipelineContext(ports, pool, tables, conntrack, settings, ARP_REQUEST_INTERVAL_NS);
        return new Worker(roleName, ports, context, SwitchingPipeline.create(context), clock);
    }

    /**
     * @param ports    the worker's ports, {@code ports[i].id() == i}, all on {@code context}'s pool
     * @param pipeline stages built over {@code context}
     */
    public Worker(String roleName, Port[] ports, PipelineContext context, Pipeline pipeline, NanoClock clock) {
        if (ports.length == 0) {
            throw new IllegalArgumentException("worker '" + roleName + "' needs at least one port");
        }
        this.roleName = roleName;
        this.ports = ports.clone();
        this.context = context;
        this.pipeline = pipeline;
        this.batch = new PacketBatch(context.pool().memory());
        this.clock = clock;
    }

    @Override
    public int doWork() {
        context.beginBatch(clock.nanoTime());
        final Port[] ports = this.ports;
        final int portCount = ports.length;
        final PacketBatch batch = this.batch;
        batch.clear();
        int port = nextPort;
        for (int polled = 0; polled < portCount && batch.free() > 0; polled++) {
            ports[port].receive(batch);
            port = port + 1 == portCount ? 0 : port + 1;
        }
        nextPort = nextPort + 1 == portCount ? 0 : nextPort + 1;
        final int received = batch.size();
        if (received > 0) {
            pipeline.run(batch);
        }
        int work = received;
        for (int p = 0; p < portCount; p++) {
            work += ports[p].flush();
        }
        return work;
    }

    @Override
    public String roleName() {
        return roleName;
    }

    /** Closes the ports; call after the runner stopped (on the thread that owned the worker or after it ended). */
    @Override
    public void onClose() {
        for (Port port : ports) {
            port.close();
        }
    }

    public DropCounters drops() {
        return context.drops();
    }

    public NeighborTable neighbors() {
        return context.neighbors();
    }

    public PipelineContext context() {
        return context;
    }

    public Port port(int id) {
        return ports[id];
    }
}
