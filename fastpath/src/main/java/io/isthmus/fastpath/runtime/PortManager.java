package io.isthmus.fastpath.runtime;

import io.isthmus.fastpath.control.PortAttachment;
import io.isthmus.fastpath.packet.Ipv4Address;
import io.isthmus.fastpath.pipeline.PortKind;
import io.isthmus.fastpath.pipeline.RouteTable;
import io.isthmus.fastpath.pipeline.RouteTableRef;
import io.isthmus.fastpath.port.Port;
import io.isthmus.fastpath.worker.Worker;
import io.isthmus.fastpath.xsk.AfXdpPort;
import io.isthmus.fastpath.xsk.AfXdpPortFactory;
import io.isthmus.fastpath.xsk.AfXdpSwitch;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Attaches and detaches pods' host-side interfaces on a running {@link Worker}, and keeps the
 * route table generation in step: pod IP /32 → port slot, the interface's own MAC as the local
 * (gateway) MAC. A {@link PortKind#HOST} attachment (the fast-path end of the node's host veth;
 * at most one) becomes the table's host port: the default route and the proxy-ARP port; the MAC
 * it carries (the host end's) is where frames to the node are addressed.
 *
 * <pre>
 *   attach:  free slot ─▶ factory.open (socket, XDP link) ─▶ worker takes the port
 *            ─▶ publish routes WITH it (traffic to the pod starts here)
 *   detach:  publish routes WITHOUT it ─▶ worker lets go (drains commands before it reads routes)
 *            ─▶ factory.close (XDP link, program, map, socket) ─▶ worker reclaims the port's frames
 *            ─▶ slot free again
 * </pre>
 *
 * <p><b>Thread-safety:</b> one control thread calls {@link #attach} and {@link #detach} (they
 * block until the worker applied each step, at most {@code commandTimeout}); {@link #attached()}
 * may be read from any thread.
 */
public final class PortManager {
    /** One attached pod port. */
    public record AttachedPort(int slot, PortAttachment attachment, long localMac) {
    }

    private final Worker worker;
    private final AfXdpPortFactory factory;
    private final RouteTableRef routes;
    private final Duration commandTimeout;
    private final Map<String, AttachedPort> byInterface = new LinkedHashMap<>();
    private volatile List<AttachedPort> snapshot = List.of();
    private long generation;

    public PortManager(Worker worker, AfXdpPortFactory factory, RouteTableRef routes, Duration commandTimeout) {
        this.worker = worker;
        this.factory = factory;
        this.routes = routes;
        this.commandTimeout = commandTimeout;
        this.generation = routes.current().generation();
    }

    /** Attaches the pod's interface (idempotent for the same interface and pod IP); returns its slot. */
    public int attach(PortAttachment attachment) {
        final AttachedPort existing = byInterface.get(attachment.hostIfName());
        if (existing != null) {
            if (existing.attachment().podIp() == attachment.podIp() && existing.attachment().kind() == attachment.kind()
                    && existing.attachment().podMac() == attachment.podMac()) {
                return existing.slot();
            }
            detach(attachment.hostIfName());
        }
        for (AttachedPort other : byInterface.values()) {
            if (attachment.kind() == PortKind.POD && other.attachment().podIp() == attachment.podIp()) {
                throw new IllegalStateException("pod IP " + Ipv4Address.format(attachment.podIp()) + " is already on "
                        + other.attachment().hostIfName() + " (slot " + other.slot() + ")");
            }
            if (attachment.kind() == PortKind.HOST && other.attachment().kind() == PortKind.HOST) {
                throw new IllegalStateException("the host port is already " + other.attachment().hostIfName()
                        + " (slot " + other.slot() + "); cannot attach " + attachment.hostIfName() + " as a second one");
            }
        }
        final int slot = freeSlot();
        final long localMac = AfXdpSwitch.macOf(attachment.hostIfName());
        final AfXdpPort port = factory.open(slot, attachment.hostIfName());
        try {
            await(worker.attach(port, attachment.podMac()), "attach " + attachment.hostIfName());
        } catch (RuntimeException e) {
            factory.close(slot); // the worker never had it, or refused it: no frame was lent
            throw e;
        }
        byInterface.put(attachment.hostIfName(), new AttachedPort(slot, attachment, localMac));
        publish();
        return slot;
    }

    /** Detaches {@code hostIfName}; returns false when it was not attached. */
    public boolean detach(String hostIfName) {
        final AttachedPort attached = byInterface.remove(hostIfName);
        if (attached == null) {
            return false;
        }
        publish();
        final Port released = await(worker.detach(attached.slot()), "detach " + hostIfName);
        final AfXdpPort port = factory.close(attached.slot());
        if (released != null && port != null) {
            await(worker.call(port::reclaimLentFrames), "reclaim the frames of " + hostIfName);
        }
        return true;
    }

    /** Detaches every port (shutdown). */
    public void detachAll() {
        for (String name : new ArrayList<>(byInterface.keySet())) {
            detach(name);
        }
    }

    /** Any thread: the attached ports as of the last change. */
    public List<AttachedPort> attached() {
        return snapshot;
    }

    /** Any thread: whether {@code hostIfName} is attached. */
    public boolean isAttached(String hostIfName) {
        for (AttachedPort port : snapshot) {
            if (port.attachment().hostIfName().equals(hostIfName)) {
                return true;
            }
        }
        return false;
    }

    private int freeSlot() {
        final boolean[] used = new boolean[worker.slotCount()];
        for (AttachedPort port : byInterface.values()) {
            used[port.slot()] = true;
        }
        for (int slot = 0; slot < used.length; slot++) {
            if (!used[slot] && factory.interfaceAt(slot) == null) {
                return slot;
            }
        }
        throw new IllegalStateException("all " + used.length + " port slots of worker '" + worker.roleName() + "' are in use");
    }

    private void publish() {
        final RouteTable.Builder table = RouteTable.builder(++generation);
        for (AttachedPort port : byInterface.values()) {
            if (port.attachment().kind() == PortKind.HOST) {
                table.hostPort(port.slot(), port.localMac());
            } else {
                table.port(port.slot(), port.localMac(), port.attachment().podIp());
            }
        }
        routes.publish(table.build());
        snapshot = Collections.unmodifiableList(new ArrayList<>(byInterface.values()));
    }

    private <T> T await(CompletableFuture<T> step, String what) {
        try {
            return step.get(commandTimeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new IllegalStateException(what + ": the worker did not answer within " + commandTimeout.toMillis()
                    + " ms (is it running?)", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(what + " failed: " + e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(what + " interrupted", e);
        }
    }
}
