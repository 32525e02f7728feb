package io.isthmus.fastpath.runtime.services;

import io.isthmus.conntrack.ConntrackTable;
import io.isthmus.fastpath.control.DesiredState;
import io.isthmus.fastpath.control.DesiredStateTables;
import io.isthmus.fastpath.control.GenerationReclaimer;
import io.isthmus.fastpath.control.Published;
import io.isthmus.fastpath.control.compile.AppliedChanges;
import io.isthmus.lb.compile.Compilation;
import io.isthmus.lb.compile.HealthCheckService;
import io.isthmus.lb.table.ServiceTable;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * What the control agent does after a cycle that applied requests, when the desired state is a
 * {@link DesiredStateTables} compiler:
 *
 * <pre>
 *   applyPending() ─▶ new ServiceTable published
 *        └ Compilation ─▶ StaleUdpFlush (conntrack, owner side) ─▶ healthChecks listener
 * </pre>
 *
 * The flush follows the publish, so a datagram that arrives between them and creates a new
 * entry already gets a live backend; one that was DNATed to the dead backend just before is
 * removed by the flush.
 *
 * <p><b>Thread-safety:</b> {@link #accept} on the control agent thread only (the conntrack
 * table's owner); the counters are readable anywhere. The listener runs on that thread too: it
 * must hand work off rather than block.
 */
public final class ServiceCompileCycle implements BiConsumer<DesiredState, ConntrackTable> {
    private final Consumer<List<HealthCheckService>> healthChecks;
    private final AtomicLong flushedUdpEntries = new AtomicLong();
    private final AtomicLong compilations = new AtomicLong();
    /** Guarded by this: the last compilation, and the second listener (the uplink), set once the uplink is up. */
    private Compilation last;
    private Consumer<Compilation> alsoTold;
    /** Guarded by this: where {@code last}'s table was published (its reclaimer frees replaced tables). */
    private Published<ServiceTable> published;

    /** @param healthChecks told the health-check node ports to serve after every Service compilation */
    public ServiceCompileCycle(Consumer<List<HealthCheckService>> healthChecks) {
        this.healthChecks = Objects.requireNonNull(healthChecks, "healthChecks");
    }

    /** Without health-check node ports (nobody serves them). */
    public ServiceCompileCycle() {
        this(checks -> { });
    }

    /** When the runtime's desired state is the compiler itself; any other desired state is left alone. */
    @Override
    public void accept(DesiredState desired, ConntrackTable conntrack) {
        if (desired instanceof DesiredStateTables compiler) {
            afterRequests(compiler, conntrack);
        }
    }

    /** Compiles what changed (nothing if nothing did), then flushes and tells the health checks. */
    public void afterRequests(DesiredStateTables compiler, ConntrackTable conntrack) {
        if (!compiler.hasPending()) {
            return;
        }
        final AppliedChanges applied = compiler.applyPending(); // one compile per control cycle that brought changes
        final Compilation services = applied.services();
        if (services == null) {
            return;
        }
        flushedUdpEntries.addAndGet(StaleUdpFlush.flush(services.staleUdpBackends(), conntrack.flusher()));
        healthChecks.accept(services.healthChecks());
        tellAlso(services, compiler.tables().services());
        compilations.incrementAndGet(); // last: who sees the count change sees this compilation's flush too
    }

    private synchronized void tellAlso(Compilation compilation, Published<ServiceTable> where) {
        last = compilation;
        published = where;
        if (alsoTold != null) {
            alsoTold.accept(compilation);
        }
    }

    /**
     * Any thread: also tells {@code listener} every Service compilation, now (the last one, if
     * any) and after every new one, in order ({@code UplinkPort::follow}: the health-check node
     * ports stay the host's, externalIP / LB frontends are steered). It runs under this object's
     * monitor, on the control agent thread after compilations: quick, and never calling back in.
     * Told now from this (another) thread, the last compilation's table is read under a reclaimer
     * pin and only while it is still the published one: a replaced table may already be freed,
     * and the control thread tells its successor anyway.
     */
    public synchronized void alsoTell(Consumer<Compilation> listener) {
        alsoTold = listener;
        if (last == null) {
            return;
        }
        if (published == null || published.reclaimer() == null) {
            listener.accept(last);
            return;
        }
        try (GenerationReclaimer.Reader pin = published.reclaimer().pin()) {
            if (published.current() == last.table()) {
                listener.accept(last);
            }
        }
    }

    /** UDP conntrack entries removed because their backend went away, since start. */
    public long flushedUdpEntries() {
        return flushedUdpEntries.get();
    }

    /** Service compilations seen. */
    public long compilations() {
        return compilations.get();
    }
}
