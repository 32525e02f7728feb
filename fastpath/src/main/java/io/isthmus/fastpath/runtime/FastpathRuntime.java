package io.isthmus.fastpath.runtime;

import io.isthmus.conntrack.Addresses;
import io.isthmus.conntrack.ConntrackSweeper;
import io.isthmus.conntrack.ConntrackTable;
import io.isthmus.conntrack.nat.SnatPortPool;
import io.isthmus.fastpath.control.DesiredState;
import io.isthmus.fastpath.control.FastpathTables;
import io.isthmus.fastpath.pipeline.PipelineContext;
import io.isthmus.fastpath.pipeline.RouteTable;
import io.isthmus.fastpath.pipeline.RouteTableRef;
import io.isthmus.fastpath.runtime.services.ServiceAffinity;
import io.isthmus.fastpath.port.Port;
import io.isthmus.fastpath.worker.Worker;
import io.isthmus.fastpath.worker.WorkerRunner;
import io.isthmus.fastpath.xsk.AfXdpPortFactory;
import io.isthmus.lb.affinity.AffinityTable;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.SystemNanoClock;
import org.agrona.concurrent.status.AtomicCounter;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The fast path of one node, running: the worker (on its {@link WorkerRunner}) with its port slots
 * and UMEM, the conntrack table (memory-mapped under /dev/shm: it outlives this runtime), the
 * published {@link FastpathTables}, and the {@link ControlAgent} that applies {@link #control()}
 * calls and sweeps conntrack.
 *
 * <pre>
 *   slow path ──FastpathControl──▶ control agent ──▶ DesiredState (compiles FastpathTables)
 *                                        │ ports ──▶ PortManager ──▶ worker commands
 *                                        └ every 10 ms ──▶ ConntrackSweeper
 *   worker: ports ─▶ pipeline(context, tables, conntrack) ─▶ ports
 * </pre>
 *
 * <p><b>Thread-safety:</b> {@link #start} and {@link #close} from one owning thread;
 * {@link #control()} from any; the accessors for metrics from any (their objects say what is safe).
 */
public final class FastpathRuntime implements AutoCloseable {
    private final FastpathRuntimeConfig config;
    private final ConntrackTable conntrack;
    private final AfXdpPortFactory portFactory;
    private final FastpathTables tables;
    private final Worker worker;
    private final WorkerRunner workerRunner;
    private final PortManager ports;
    private final ControlAgent controlAgent;
    private final AgentRunner controlRunner;
    private final LocalFastpathControl control;
    private final DesiredState desired;
    private final AffinityTable affinity;
    private final UplinkPort uplink;
    private boolean closed;

    private FastpathRuntime(FastpathRuntimeConfig config, ConntrackTable conntrack, AfXdpPortFactory portFactory,
                            FastpathTables tables, Worker worker, WorkerRunner workerRunner, PortManager ports,
                            ControlAgent controlAgent, AgentRunner controlRunner, DesiredState desired, AffinityTable affinity) {
        this.config = config;
        this.conntrack = conntrack;
        this.portFactory = portFactory;
        this.tables = tables;
        this.worker = worker;
        this.workerRunner = workerRunner;
        this.ports = ports;
        this.controlAgent = controlAgent;
        this.controlRunner = controlRunner;
        this.desired = desired;
        this.affinity = affinity;
        this.control = new LocalFastpathControl(controlAgent, desired, ports);
        this.uplink = new UplinkPort(worker, portFactory, ports, worker.context().uplink(), config.commandTimeout());
    }

    /**
     * Opens (or creates) the conntrack table, maps the UMEM, starts the worker with no port and the
     * control agent. On failure releases what it made and throws (the message names the step).
     */
    public static FastpathRuntime start(FastpathRuntimeConfig config, DesiredState desired, PipelineFactory pipelines) {
        return start(config, tables -> desired, pipelines);
    }

    /**
     * As {@link #start(FastpathRuntimeConfig, DesiredState, PipelineFactory)}, with the desired-state
     * sink made over the runtime's tables (a compiler that publishes generations into them).
     */
    public static FastpathRuntime start(FastpathRuntimeConfig config, Function<FastpathTables, DesiredState> desiredOverTables,
                                        PipelineFactory pipelines) {
        return start(config, desiredOverTables, pipelines, desired -> {
        });
    }

    /**
     * As above, and runs {@code afterRequests} on the control agent after every cycle that applied
     * requests: where a compiler that batches ({@code DesiredStateTables}: {@code if (t.hasPending())
     * t.applyPending()}) publishes the new table generations.
     */
    public static FastpathRuntime start(FastpathRuntimeConfig config, Function<FastpathTables, DesiredState> desiredOverTables,
                                        PipelineFactory pipelines, Consumer<DesiredState> afterRequests) {
        return start(config, desiredOverTables, pipelines, (desired, conntrack) -> afterRequests.accept(desired));
    }

    /**
     * As above, with {@code afterRequests} also given the conntrack table, which the control agent
     * owns: e.g. {@code services.ServiceCompileCycle}, which compiles, then flushes the UDP entries
     * of backends that went away.
     */
    public static FastpathRuntime start(FastpathRuntimeConfig config, Function<FastpathTables, DesiredState> desiredOverTables,
                                        PipelineFactory pipelines, BiConsumer<DesiredState, ConntrackTable> afterRequests) {
        final List<AutoCloseable> made = new ArrayList<>();
        try {
            final ConntrackTable conntrack = openConntrack(config);
            made.add(conntrack);
            final AfXdpPortFactory portFactory = AfXdpPortFactory.allocate(config.umemFrames(), config.xsk());
            made.add(portFactory);
            final RouteTableRef routes = new RouteTableRef(RouteTable.empty());
            final FastpathTables tables = FastpathTables.empty(routes);
            final DesiredState desired = desiredOverTables.apply(tables);
            final Port[] slots = Worker.emptySlots(config.portSlots());
            // ClientIP session affinity: one table shared by the workers, closed after them.
            final AffinityTable affinity = config.flow() == null || config.flow().affinity() != null ? null
                    : new AffinityTable(ServiceAffinity.DEFAULT_CAPACITY_ENTRIES);
            if (affinity != null) {
                made.add(affinity);
            }
            final PipelineContext context = config.flow() == null
                    ? new PipelineContext(slots, portFactory.pool(), routes, Worker.ARP_REQUEST_INTERVAL_NS)
                    : new PipelineContext(slots, portFactory.pool(), tables, conntrack,
                            affinity == null ? config.flow() : ServiceAffinity.withTable(config.flow(), affinity), Worker.ARP_REQUEST_INTERVAL_NS);
            final Worker worker = new Worker(config.workerName(), context, pipelines.create(context, tables, conntrack),
                    new SystemNanoClock()).injectFrom(pipelines.injects());
            final WorkerRunner workerRunner = WorkerRunner.start(worker, config.idleMode(), config.workerThread());
            made.add(workerRunner);
            final PortManager ports = new PortManager(worker, portFactory, routes, config.commandTimeout());
            final ControlAgent controlAgent = new ControlAgent(new ConntrackSweeper(conntrack, config.sweepEntriesPerCall()),
                    config.sweepInterval(), config.commandTimeout(), () -> afterRequests.accept(desired, conntrack));
            controlAgent.reclaimEachCycle(tables.reclaimer());
            controlAgent.logFlowEvents(new FlowEventLog(context.events(), System.err, 100, System::nanoTime));
            final AgentRunner controlRunner = new AgentRunner(new BackoffIdleStrategy(100, 10, 1_000L, 1_000_000L),
                    error -> System.getLogger(FastpathRuntime.class.getName()).log(System.Logger.Level.ERROR, "control agent failed", error), (AtomicCounter) null, controlAgent);
            AgentRunner.startOnThread(controlRunner);
            return new FastpathRuntime(config, conntrack, portFactory, tables, worker, workerRunner, ports, controlAgent,
                    controlRunner, desired, affinity);
        } catch (RuntimeException e) {
            for (AutoCloseable step : made.reversed()) {
                try {
                    step.close();
                } catch (Exception closeFailure) {
                    e.addSuppressed(closeFailure);
                }
            }
            throw e;
        }
    }

    /** With flow stages, the SNAT pool serves the flow settings' node address (ports 32768..60999, TCP and UDP). */
    private static ConntrackTable openConntrack(FastpathRuntimeConfig config) {
        final SnatPortPool snat = new SnatPortPool();
        if (config.flow() != null) { // NodePort and outside clients are masqueraded to it (kube-proxy's rules)
            final long nodeLo = Addresses.ipv4Lo(config.flow().nodeIpv4());
            snat.register(Addresses.IPV4_MAPPED_HI, nodeLo, 6, 32768, 60999).register(Addresses.IPV4_MAPPED_HI, nodeLo, 17, 32768, 60999);
        }
        try {
            return ConntrackTable.createOrOpen(config.conntrack(), snat);
        } catch (IOException e) {
            throw new UncheckedIOException("conntrack table " + config.conntrack().path() + ": " + e.getMessage(), e);
        }
    }

    /** What the slow path (or the Aeron control server) calls. */
    public LocalFastpathControl control() {
        return control;
    }

    public FastpathRuntimeConfig config() {
        return config;
    }

    public Worker worker() {
        return worker;
    }

    public PortManager ports() {
        return ports;
    }

    public FastpathTables tables() {
        return tables;
    }

    public ConntrackTable conntrack() {
        return conntrack;
    }

    public DesiredState desired() {
        return desired;
    }

    /** The worker's pool and ledger, for tests and diagnostics (read them with {@code worker().call}). */
    public AfXdpPortFactory portFactory() {
        return portFactory;
    }

    /** Control requests that failed with no caller to tell. */
    public long failedControlRequests() {
        return controlAgent.failedRequests();
    }

    /** The workers' shared ClientIP affinity table, or null without flow stages. */
    public AffinityTable affinity() {
        return affinity != null ? affinity : config.flow() == null ? null : config.flow().affinity();
    }

    /**
     * Attaches the node's uplink (see {@link UplinkPort}): outside traffic to NodePorts on the node
     * addresses and to the service CIDRs enters the pipeline, through one AF_XDP socket per RX queue
     * of the interface, replies leave through the uplink; the host keeps the rest of the interface's traffic. Runs on the control agent; blocks until done
     * and throws what the attachment threw (e.g. the kernel refused the program).
     */
    public UplinkPort attachUplink(io.isthmus.fastpath.uplink.UplinkConfig uplinkConfig) {
        onControlAgent(() -> uplink.attach(uplinkConfig));
        return uplink;
    }

    /** Detaches the uplink (the host gets every frame of it again); nothing when none is attached. */
    public void detachUplink() {
        onControlAgent(uplink::detach);
    }

    /** The uplink port (attached or not). */
    public UplinkPort uplink() {
        return uplink;
    }

    private void onControlAgent(Runnable step) {
        final var done = new java.util.concurrent.CompletableFuture<Void>();
        controlAgent.submit(() -> {
            try {
                step.run();
                done.complete(null);
            } catch (RuntimeException e) {
                done.completeExceptionally(e);
            }
        });
        try {
            done.get(config.commandTimeout().toMillis() * 4, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("the fast path's control agent did not answer within "
                    + config.commandTimeout().toMillis() * 4 + " ms", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted waiting for the control agent", e);
        }
    }

    /** The first error the worker's duty cycle threw (a bug), or null. */
    public Throwable workerError() {
        return workerRunner.firstError();
    }

    /**
     * Detaches every port (XDP links closed, frames back in the pool), stops the control agent and
     * the worker, unmaps the UMEM and closes conntrack (its file stays for the next runtime).
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        final IllegalStateException failure = new IllegalStateException("stopping the fast path failed");
        try {
            final var detached = new java.util.concurrent.CompletableFuture<Void>();
            controlAgent.submit(() -> {
                RuntimeException uplinkFailure = null;
                try {
                    uplink.detach(); // first: the host gets every frame of its NIC back
                } catch (RuntimeException e) {
                    uplinkFailure = e; // the pods are still detached
                }
                try {
                    ports.detachAll();
                    if (uplinkFailure != null) {
                        throw uplinkFailure;
                    }
                    detached.complete(null);
                } catch (RuntimeException e) {
                    if (uplinkFailure != null && e != uplinkFailure) {
                        e.addSuppressed(uplinkFailure);
                    }
                    detached.completeExceptionally(e);
                }
            });
            detached.get(config.commandTimeout().toMillis() * 4, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            failure.addSuppressed(e);
        }
        for (AutoCloseable step : new AutoCloseable[]{controlRunner, workerRunner, portFactory, conntrack, affinity}) {
            try {
                if (step != null) {
                    step.close();
                }
            } catch (Exception e) {
                failure.addSuppressed(e);
            }
        }
        if (failure.getSuppressed().length != 0) {
            throw failure;
        }
    }
}
