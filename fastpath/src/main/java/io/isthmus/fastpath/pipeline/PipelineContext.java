package io.isthmus.fastpath.pipeline;

import io.isthmus.fastpath.frame.FramePool;
import io.isthmus.fastpath.port.Port;
import io.isthmus.fastpath.port.PortCounters;

/**
 * What the stages of one worker share: the worker's ports (indexed by port id), its frame pool, the
 * route table generation of the current batch, the learned neighbors, the drop counters and the
 * duty cycle's clock reading.
 *
 * <p>{@link #beginBatch} is called by the worker (or a test harness) before each batch: it reads
 * the published {@link RouteTableRef} once (acquire) and, when the generation changed, forgets the
 * pods of ports whose pod IP or local MAC changed.
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
    private RouteTable table;
    private long nowNs;

    /**
     * @param ports             the worker's ports; {@code ports[i].id()} must be {@code i}
     * @param arpRequestIntervalNs minimum time between two ARP requests for the pod of one port
     */
    public PipelineContext(Port[] ports, FramePool pool, RouteTableRef routes, long arpRequestIntervalNs) {
        for (int i = 0; i < ports.length; i++) {
            if (ports[i].id() != i) {
                throw new IllegalArgumentException("port '" + ports[i].name() + "' has id " + ports[i].id()
                        + " but sits at index " + i + " of the worker's port table");
            }
        }
        this.ports = ports.clone();
        this.pool = pool;
        this.routes = routes;
        this.neighbors = new NeighborTable(ports.length, arpRequestIntervalNs);
        this.table = routes.current();
    }

    /** Worker: picks up the latest route table generation and the clock reading for this batch. */
    public void beginBatch(long nowNs) {
        this.nowNs = nowNs;
        final RouteTable latest = routes.current();
        if (latest != table) {
            adopt(latest);
        }
    }

    private void adopt(RouteTable latest) {
        final RouteTable previous = table;
        for (int port = 0; port < ports.length; port++) {
            if (previous.podIp(port) != latest.podIp(port) || previous.localMac(port) != latest.localMac(port)) {
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
}
