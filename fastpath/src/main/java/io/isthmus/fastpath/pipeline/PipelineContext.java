package io.isthmus.fastpath.pipeline;

import io.isthmus.conntrack.ConntrackCursor;
import io.isthmus.conntrack.ConntrackTable;
import io.isthmus.dns.zone.Zone;
import io.isthmus.fastpath.control.FastpathTables;
import io.isthmus.fastpath.control.GenerationReclaimer;
import io.isthmus.fastpath.frame.FramePool;
import io.isthmus.fastpath.packet.MacAddress;
import io.isthmus.fastpath.port.Port;
import io.isthmus.fastpath.port.PortCounters;
import io.isthmus.fastpath.uplink.Uplink;
import io.isthmus.lb.table.ServiceTable;
import io.isthmus.policy.compile.PolicySnapshot;

/**
 * What the stages of one worker share: the worker's ports (indexed by port id), its frame pool, the
 * table generations of the current batch (routes, Services, policy, DNS zone), the learned
 * neighbors, the worker's conntrack cursor, the flow settings and events, the drop counters and
 * the duty cycle's clock reading.
 *
 * <p>{@link #beginBatch} is called by the worker (or a test harness) before each batch: it reads
 * each published table once (acquire) and, when the route generation changed, forgets the pods of
 * ports whose pod IP or local MAC changed (a port that was not in the previous table keeps the MAC
 * its attach gave).
 *
 * <p>Without a conntrack table ({@link #hasConntrack()} false) the flow stages are not built: the
 * pipeline is the plain switching path.
 *
 * <p>The context holds a reader slot of the tables' {@code GenerationReclaimer} from construction
 * to {@link #close()}: {@link #beginBatch} declares (one release store) that the previous batch's
 * generations are no longer used, so the control side may free them; the table references kept
 * here are valid only until the next {@code beginBatch}. A worker that stops calls {@link #close()}
 * so that it pins no generation.
 *
 * <p><b>Thread-safety:</b> owned by one worker thread. The counters inside it may be read from
 * other threads (see {@link DropCounters}, {@link NeighborTable}, {@link PortCounters}).
 */
public final class PipelineContext {
    private final Port[] ports;
    private final FramePool pool;
    private final RouteTableRef routes;
    private final NeighborTable neighbors;
    private final DropCounters drops = new DropCounters();
    private final FastpathTables tables;
    private final ConntrackCursor conntrack;
    private final FlowSettings flowSettings;
    private final FlowEvents events;
    private final Uplink uplink = new Uplink();
    /** This worker's slot: written by the worker each batch (release), read by the reclaimer. */
    private final GenerationReclaimer.Reader reader;
    private RouteTable table;
    private ServiceTable services;
    private PolicySnapshot policies;
    private Zone dnsZone;
    private long nowNs;

    /**
     * @param ports             the worker's ports; {@code ports[i].id()} must be {@code i}
     * @param arpRequestIntervalNs minimum time between two ARP requests for the pod of one port
     */
    public PipelineContext(Port[] ports, FramePool pool, RouteTableRef routes, long arpRequestIntervalNs) {
        this(ports, pool, FastpathTables.empty(routes), null, FlowSettings.defaults(), arpRequestIntervalNs);
    }

    /**
     * A context for the full pipeline: every table of {@code tables}, and connection tracking in
     * {@code conntrackTable} (null: no flow stages) through a cursor on stripe
     * {@code settings.conntrackStripe()}.
     */
    public PipelineContext(Port[] ports, FramePool pool, FastpathTables tables, ConntrackTable conntrackTable,
                           FlowSettings settings, long arpRequestIntervalNs) {
        for (int i = 0; i < ports.length; i++) {
            if (ports[i].id() != i) {
                throw new IllegalArgumentException("port '" + ports[i].name() + "' has id " + ports[i].id()
                        + " but sits at index " + i + " of the worker's port table");
            }
        }
        this.ports = ports.clone();
        this.pool = pool;
        this.routes = tables.routes();
        this.tables = tables;
        this.neighbors = new NeighborTable(ports.length, arpRequestIntervalNs);
        this.conntrack = conntrackTable == null ? null : conntrackTable.cursor(settings.conntrackStripe());
        this.flowSettings = settings;
        this.events = new FlowEvents(1024);
        this.table = this.routes.current();
        this.reader = tables.reclaimer().register("worker context");
    }

    /** Worker: picks up the latest route table generation and the clock reading for this batch. */
    public void beginBatch(long nowNs) {
        this.nowNs = nowNs;
        reader.observe(); // before reading any table: the previous batch's generations may go
        final RouteTable latest = routes.current();
        if (latest != table) {
            adopt(latest);
        }
        services = tables.services().current();
        policies = tables.policies().current();
        dnsZone = tables.dnsZone().current();
    }

    private void adopt(RouteTable latest) {
        final RouteTable previous = table;
        for (int port = 0; port < ports.length; port++) {
            // A port new to the table keeps what its attach taught (replacePort already forgot the
            // slot's previous pod): the host port learns nothing from a pod IP, so its MAC must survive.
            if (previous.localMac(port) != MacAddress.UNKNOWN
                    && (previous.podIp(port) != latest.podIp(port) || previous.localMac(port) != latest.localMac(port))) {
                neighbors.forget(port);
            }
        }
        table = latest;
    }

    /**
     * Drops packet {@code i} of {@code batch}: counts {@code reason} and the ingress port's
     * RX_DROPPED, returns the frame to the pool. The caller compacts the batch.
     */
    public void drop(PacketBatch batch, int i, DropReason reason) {
        drops.increment(reason);
        final int ingress = batch.ingressPort[i];
        if (ingress >= 0 && ingress < ports.length) {
            ports[ingress].counters().add(PortCounters.Counter.RX_DROPPED, 1);
        }
        pool.release(batch.address[i]);
    }

    /**
     * The one home of drop-and-compact: drops every packet {@link PacketBatch#markDrop marked} by
     * the stage (counting its reason, releasing its frame), moves the survivors down in order and
     * sets the batch size. Returns the packets left.
     */
    public int sweepDrops(PacketBatch batch) {
        final long dropMask = batch.dropMask();
        final long mask = dropMask | batch.leftMask();
        final int size = batch.size();
        if (mask == 0) {
            return size;
        }
        int kept = Long.numberOfTrailingZeros(mask);
        for (int i = kept; i < size; i++) {
            if ((dropMask & (1L << i)) != 0) {
                drop(batch, i, batch.dropReason(i));
            } else if ((mask & (1L << i)) != 0) {
                continue;
            } else {
                batch.move(i, kept++);
            }
        }
        batch.clearDropMask();
        batch.size(kept);
        return kept;
    }

    /** Counts a drop whose frame is not released (it was turned into another packet, e.g. an ARP request). */
    public void countDropKeepingFrame(PacketBatch batch, int i, DropReason reason) {
        drops.increment(reason);
        final int ingress = batch.ingressPort[i];
        if (ingress >= 0 && ingress < ports.length) {
            ports[ingress].counters().add(PortCounters.Counter.RX_DROPPED, 1);
        }
    }

    /**
     * Worker only, between batches: puts {@code port} in slot {@code port.id()} (an
     * {@code EmptyPort} when a port was detached) and forgets the pod learned on that slot.
     * Added for dynamic ports (runtime engineer): the slot count never changes, so stages keep
     * indexing ports by id.
     */
    public void replacePort(Port port) {
        ports[port.id()] = port;
        neighbors.forget(port.id());
    }

    /**
     * The worker stopped (or the context is dropped): gives back the reader slot so that this
     * context pins no table generation. The table getters must not be used afterwards. Idempotent.
     */
    public void close() {
        reader.close();
    }

    public RouteTable table() {
        return table;
    }

    public long nowNs() {
        return nowNs;
    }

    public Port port(int id) {
        return ports[id];
    }

    public int portCount() {
        return ports.length;
    }

    public FramePool pool() {
        return pool;
    }

    public NeighborTable neighbors() {
        return neighbors;
    }

    public DropCounters drops() {
        return drops;
    }

    /** The Service table of this batch, or null before the slow path published one. */
    public ServiceTable services() {
        return services;
    }

    /** The policy snapshot of this batch, or null before the slow path published one (everything allowed). */
    public PolicySnapshot policies() {
        return policies;
    }

    /** The DNS zone of this batch, or null before the slow path published one. */
    public Zone dnsZone() {
        return dnsZone;
    }

    public FastpathTables tables() {
        return tables;
    }

    public boolean hasConntrack() {
        return conntrack != null;
    }

    /** This worker's conntrack cursor, or null when the pipeline runs without connection tracking. */
    public ConntrackCursor conntrack() {
        return conntrack;
    }

    public FlowSettings flowSettings() {
        return flowSettings;
    }

    /** Flow events (policy denials, rejections) for the agent to drain. */
    public FlowEvents events() {
        return events;
    }

    /** The node's uplink as this worker sees it (bound by the runtime's {@code UplinkPort}, else unbound). */
    public Uplink uplink() {
        return uplink;
    }
}
