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
import io.isthmus.fastpath.port.EmptyPort;
import io.isthmus.fastpath.port.Port;
import io.isthmus.fastpath.punt.InjectQueue;
import io.isthmus.fastpath.stage.SwitchingPipeline;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;
import org.agrona.concurrent.NanoClock;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * A poll-mode worker: an Agrona {@link Agent} whose duty cycle applies queued
 * {@link WorkerCommand}s (port attach/detach), reads the clock once, picks up the latest route
 * table generation, fills one {@link PacketBatch} from its active ports round-robin (starting one
 * port further each cycle, so no port starves when the batch fills early), runs the pipeline over
 * it, then flushes every active port (publish TX, reclaim completions, refill RX).
 *
 * <pre>
 *   doWork():  commands.drain(≤ 8) ─▶ now = clock ─▶ context.beginBatch(now)
 *              ─▶ active[k..k-1].receive(batch) ─▶ pipeline.run(batch) ─▶ active[*].flush(batch was full)
 *
 *   slots (fixed count, index = port id = what route tables and stages name; the table is the
 *   {@link PipelineContext}'s, its one owner: the worker changes it only through
 *   {@link PipelineContext#replacePort}):
 *   +--------+--------+--------+-- ... --+
 *   | port 0 | empty  | port 2 |         |     empty = {@link EmptyPort}; ids stay stable
 *   +--------+--------+--------+-- ... --+
 *   active: the non-empty slots, dense, in attach order (what the duty cycle polls)
 * </pre>
 *
 * <p>When ports come or go the worker gives each active port an equal share of the pool for its
 * receive side ({@link Port#shareOfFrames}: pool capacity / (2 × active ports)), the other half
 * staying free for frames in flight.
 *
 * <p>Run it with {@link WorkerRunner} (AgentRunner + a selectable idle strategy) or call
 * {@link #doWork()} from a test. Steady state (no command queued): no allocation, no exceptions,
 * no locks.
 *
 * <p><b>Thread-safety:</b> everything in a worker (ports, pool, batch, stages, neighbor table)
 * belongs to the one thread that calls {@link #doWork()}. Other threads change it only through
 * {@link #attach}, {@link #detach} and {@link #call} (a bounded many-to-one queue), may read
 * {@link #drops()}, {@link #neighbors()}, {@link #portAt(int)} and the ports' counters, and publish
 * route tables through the {@link RouteTableRef}.
 */
public final class Worker implements Agent {
    /** Default minimum interval between ARP requests for one port's pod. */
    public static final long ARP_REQUEST_INTERVAL_NS = 100_000_000L;
    /** Commands waiting at most; a full queue refuses the next one (the caller sees a failed future). */
    public static final int COMMAND_QUEUE_CAPACITY = 256;
    /** Commands applied per duty cycle at most, so a burst of attaches does not stall forwarding. */
    public static final int COMMANDS_PER_CYCLE = 8;

    private final String roleName;
    private final EmptyPort[] emptySlots;
    /** The slots as other threads may read them (release on change). */
    private final AtomicReferenceArray<Port> published;
    private final Port[] active;
    private int activeCount;
    private final PipelineContext context;
    private final Pipeline pipeline;
    private final PacketBatch batch;
    private final NanoClock clock;
    private final ManyToOneConcurrentArrayQueue<WorkerCommand> commands =
            new ManyToOneConcurrentArrayQueue<>(COMMAND_QUEUE_CAPACITY);
    private final Consumer<WorkerCommand> applyCommand = this::apply;
    private int nextPort;
    /** Frames the slow path sends out of this worker's ports (DNS replies); null: none. Set before the worker runs. */
    private InjectQueue injects;
    private static final int INJECTS_PER_CYCLE = 64;

    /** A worker running the standard {@link SwitchingPipeline} over fixed ports (port {@code i} at index {@code i}). */
    public static Worker switching(String roleName, Port[] ports, FramePool pool, RouteTableRef routes, NanoClock clock) {
        final PipelineContext context = new PipelineContext(ports, pool, routes, ARP_REQUEST_INTERVAL_NS);
        return new Worker(roleName, context, SwitchingPipeline.create(context), clock);
    }

    /** A worker running the standard {@link SwitchingPipeline} with {@code slotCount} free slots, ports to be attached. */
    public static Worker switchingWithSlots(String roleName, int slotCount, FramePool pool, RouteTableRef routes, NanoClock clock) {
        return switching(roleName, emptySlots(slotCount), pool, routes, clock);
    }

    /** {@code slotCount} free slots, for a {@link PipelineContext} built before the ports exist. */
    public static Port[] emptySlots(int slotCount) {
        if (slotCount <= 0 || slotCount > 65535) {
            throw new IllegalArgumentException("a worker needs 1..65535 port slots, not " + slotCount);
        }
        final Port[] slots = new Port[slotCount];
        for (int id = 0; id < slotCount; id++) {
            slots[id] = new EmptyPort(id);
        }
        return slots;
    }

    /**
     * A worker running the full {@link SwitchingPipeline}: connection tracking in {@code conntrack}
     * (cursor stripe {@code settings.conntrackStripe()}), Services, policy and DNS from the
     * published {@code tables}.
     */
    public static Worker switching(String roleName, Port[] ports, FramePool pool, FastpathTables tables,
                                   ConntrackTable conntrack, FlowSettings settings, NanoClock clock) {
        final PipelineContext context = new PipelineContext(ports, pool, tables, conntrack, settings, ARP_REQUEST_INTERVAL_NS);
        return new Worker(roleName, context, SwitchingPipeline.create(context), clock);
    }

    /**
     * As {@link #Worker(String, PipelineContext, Pipeline, NanoClock)}; {@code ports} must be the
     * context's port table, slot by slot (kept for callers that hold the array they built the context from).
     */
    public Worker(String roleName, Port[] ports, PipelineContext context, Pipeline pipeline, NanoClock clock) {
        this(roleName, checkSameTable(roleName, ports, context), pipeline, clock);
    }

    /**
     * @param context  its port table ({@link PipelineContext#port}: {@code ports[i].id() == i}, all on
     *                 the context's pool; {@link EmptyPort}s are free slots) is the worker's
     * @param pipeline stages built over {@code context}
     */
    public Worker(String roleName, PipelineContext context, Pipeline pipeline, NanoClock clock) {
        final int slotCount = context.portCount();
        if (slotCount == 0) {
            throw new IllegalArgumentException("worker '" + roleName + "' needs at least one port slot");
        }
        this.roleName = roleName;
        this.emptySlots = new EmptyPort[slotCount];
        this.published = new AtomicReferenceArray<>(slotCount);
        this.active = new Port[slotCount];
        for (int id = 0; id < slotCount; id++) {
            final Port port = context.port(id);
            emptySlots[id] = port instanceof EmptyPort empty ? empty : new EmptyPort(id);
            published.set(id, port);
            if (!port.isEmpty()) {
                active[activeCount++] = port;
            }
        }
        this.context = context;
        this.pipeline = pipeline;
        this.batch = new PacketBatch(context.pool().memory());
        this.clock = clock;
        shareFrames();
    }

    private static PipelineContext checkSameTable(String roleName, Port[] ports, PipelineContext context) {
        if (ports.length != context.portCount()) {
            throw new IllegalArgumentException("worker '" + roleName + "' got " + ports.length + " ports for a context of "
                    + context.portCount() + " slots");
        }
        for (int id = 0; id < ports.length; id++) {
            if (ports[id] != context.port(id)) {
                throw new IllegalArgumentException("worker '" + roleName + "': port '" + ports[id].name() + "' in slot " + id
                        + " is not the context's ('" + context.port(id).name() + "')");
            }
        }
        return context;
    }

    @Override
    public int doWork() {
        int work = commands.isEmpty() ? 0 : commands.drain(applyCommand, COMMANDS_PER_CYCLE);
        context.beginBatch(clock.nanoTime());
        final Port[] ports = this.active;
        final int portCount = activeCount;
        if (portCount == 0) {
            return work;
        }
        if (injects != null) { // replies from the slow path, queued on their ports until the flush below
            work += injects.transmitInto(context, INJECTS_PER_CYCLE);
        }
        final PacketBatch batch = this.batch;
        batch.clear();
        if (nextPort >= portCount) {
            nextPort = 0;
        }
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
        work += received;
        final boolean moreComing = received == PacketBatch.CAPACITY; // a full batch: the next cycle follows at once
        for (int p = 0; p < portCount; p++) {
            work += ports[p].flush(moreComing);
        }
        return work;
    }

    /**
     * Before the worker runs (its runner not started): every duty cycle will send up to 64 frames
     * of {@code queue} out of this worker's ports (the slow path's half of a {@code PuntChannel}).
     */
    public Worker injectFrom(InjectQueue queue) {
        this.injects = queue;
        return this;
    }

    // ---- commands (any thread) ----

    /** Any thread: asks the worker to take {@code port} into its free slot {@code port.id()}. */
    public CompletableFuture<Void> attach(Port port, long podMac) {
        return enqueue(new WorkerCommand.AttachPort(port, podMac, new CompletableFuture<>()));
    }

    /** Any thread: asks the worker to let go of the port in {@code slot}; completes with it (null: slot was free). */
    public CompletableFuture<Port> detach(int slot) {
        return enqueue(new WorkerCommand.DetachPort(slot, new CompletableFuture<>()));
    }

    /** Any thread: runs {@code task} on the worker's thread between two batches. */
    public <T> CompletableFuture<T> call(Supplier<T> task) {
        return enqueue(new WorkerCommand.Call<>(task, new CompletableFuture<>()));
    }

    @SuppressWarnings("unchecked")
    private <F extends CompletableFuture<?>> F enqueue(WorkerCommand command) {
        if (!commands.offer(command)) {
            command.done().completeExceptionally(new IllegalStateException("worker '" + roleName
                    + "' has " + COMMAND_QUEUE_CAPACITY + " commands waiting already (is it running?)"));
        }
        return (F) command.done();
    }

    private void apply(WorkerCommand command) {
        try {
            switch (command) {
                case WorkerCommand.AttachPort attach -> attachNow(attach);
                case WorkerCommand.DetachPort detach -> detach.done().complete(detachNow(detach.slot()));
                case WorkerCommand.Call<?> call -> completeCall(call);
            }
        } catch (RuntimeException e) {
            command.done().completeExceptionally(e);
        }
    }

    private static <T> void completeCall(WorkerCommand.Call<T> call) {
        call.done().complete(call.task().get());
    }

    private void attachNow(WorkerCommand.AttachPort attach) {
        final Port port = attach.port();
        final int slot = port.id();
        if (slot < 0 || slot >= context.portCount()) {
            throw new IllegalArgumentException("port '" + port.name() + "' has id " + slot + ", outside the worker's "
                    + context.portCount() + " slots");
        }
        if (!context.port(slot).isEmpty()) {
            throw new IllegalStateException("slot " + slot + " already holds port '" + context.port(slot).name() + "'");
        }
        published.set(slot, port);
        active[activeCount++] = port;
        context.replacePort(port);
        if (attach.podMac() != 0) {
            context.neighbors().learn(slot, attach.podMac());
        }
        shareFrames();
        attach.done().complete(null);
    }

    private Port detachNow(int slot) {
        if (slot < 0 || slot >= context.portCount() || context.port(slot).isEmpty()) {
            return null;
        }
        final Port port = context.port(slot);
        for (int i = 0; i < activeCount; i++) {
            if (active[i] == port) {
                System.arraycopy(active, i + 1, active, i, activeCount - i - 1);
                active[--activeCount] = null;
                break;
            }
        }
        published.set(slot, emptySlots[slot]);
        context.replacePort(emptySlots[slot]);
        shareFrames();
        return port;
    }

    private void shareFrames() {
        if (activeCount == 0) {
            return;
        }
        final int share = context.pool().capacity() / (2 * activeCount);
        for (int i = 0; i < activeCount; i++) {
            active[i].shareOfFrames(share);
        }
    }

    @Override
    public String roleName() {
        return roleName;
    }

    /**
     * Closes the active ports, fails commands nobody will apply and gives back the context's
     * table reader slot (a stopped worker pins no table generation); call after the runner stopped.
     */
    @Override
    public void onClose() {
        context.close();
        for (int i = 0; i < activeCount; i++) {
            active[i].close();
        }
        for (WorkerCommand command; (command = commands.poll()) != null; ) {
            command.done().completeExceptionally(new IllegalStateException("worker '" + roleName + "' stopped"));
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

    /** Worker thread (or before it starts): the port in slot {@code id} ({@link EmptyPort} when free). */
    public Port port(int id) {
        return context.port(id);
    }

    /** Any thread: the port in slot {@code id} as last published by the worker ({@link EmptyPort} when free). */
    public Port portAt(int id) {
        return published.get(id);
    }

    public int slotCount() {
        return context.portCount();
    }
}
