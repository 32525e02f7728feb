package io.isthmus.fastpath.xsk;

import io.isthmus.fastpath.frame.FrameLoans;
import io.isthmus.fastpath.frame.FrameMemory;
import io.isthmus.fastpath.frame.FramePool;
import io.isthmus.fastpath.port.Port;

import java.util.ArrayList;
import java.util.List;

/**
 * The AF_XDP ports of one worker: ONE UMEM (and {@link FramePool}) shared by a socket on each
 * interface, the interfaces attached, and an {@link AfXdpPort} per interface whose id is its
 * index in the list. {@link #close()} closes ports, interfaces (reverse order) and then the UMEM.
 *
 * <p><b>Thread-safety:</b> opened and closed by the slow path; the ports and the pool belong to
 * the worker in between.
 */
public final class AfXdpPortSet implements AutoCloseable {
    private final Umem umem;
    private final FramePool pool;
    private final List<AfXdpInterface> interfaces;
    private final List<AfXdpPort> ports;

    private AfXdpPortSet(Umem umem, FramePool pool, List<AfXdpInterface> interfaces, List<AfXdpPort> ports) {
        this.umem = umem;
        this.pool = pool;
        this.interfaces = interfaces;
        this.ports = ports;
    }

    /** Attaches every interface of {@code interfaceNames} (port id = position); on failure detaches what it attached. */
    public static AfXdpPortSet open(List<String> interfaceNames, XskConfig config) {
        if (interfaceNames.isEmpty()) {
            throw new IllegalArgumentException("no interfaces given");
        }
        final Umem umem = Umem.allocate(config.framesPerPort() * interfaceNames.size(), config.frameSizeBytes());
        final List<AfXdpInterface> interfaces = new ArrayList<>();
        final List<AfXdpPort> ports = new ArrayList<>();
        try {
            final FramePool pool = new FramePool(umem.memory());
            final FrameLoans loans = new FrameLoans(umem.memory());
            for (String name : interfaceNames) {
                final AfXdpInterface attached = AfXdpInterface.attach(name, umem,
                        interfaces.isEmpty() ? null : interfaces.getFirst(), config);
                interfaces.add(attached);
                ports.add(AfXdpPort.open(ports.size(), attached.socket(), pool, loans, config.framesPerPort() / 2, config));
            }
            return new AfXdpPortSet(umem, pool, List.copyOf(interfaces), List.copyOf(ports));
        } catch (RuntimeException e) {
            closeAll(ports, interfaces, umem, e);
            throw e;
        }
    }

    public FrameMemory memory() {
        return umem.memory();
    }

    public FramePool pool() {
        return pool;
    }

    public List<AfXdpPort> ports() {
        return ports;
    }

    /** The ports as the {@link Port} interface, for a worker. */
    public List<Port> asPorts() {
        return List.copyOf(ports);
    }

    public List<AfXdpInterface> interfaces() {
        return interfaces;
    }

    @Override
    public void close() {
        final IllegalStateException failure = new IllegalStateException("closing AF_XDP ports failed");
        closeAll(ports, interfaces, umem, failure);
        if (failure.getSuppressed().length != 0) {
            throw failure;
        }
    }

    private static void closeAll(List<AfXdpPort> ports, List<AfXdpInterface> interfaces, Umem umem, Exception into) {
        final List<AutoCloseable> steps = new ArrayList<>(ports);
        steps.addAll(interfaces.reversed());
        steps.add(umem);
        for (AutoCloseable step : steps) {
            try {
                step.close();
            } catch (Exception e) {
                into.addSuppressed(e);
            }
        }
    }
}
