package io.isthmus.fastpath.xsk;

import io.isthmus.fastpath.packet.Ipv4Address;
import io.isthmus.fastpath.packet.MacAddress;
import io.isthmus.fastpath.pipeline.RouteTable;
import io.isthmus.fastpath.pipeline.RouteTableRef;
import io.isthmus.fastpath.port.Port;
import io.isthmus.fastpath.worker.IdleMode;
import io.isthmus.fastpath.worker.Worker;
import io.isthmus.fastpath.worker.WorkerRunner;
import io.isthmus.fastpath.worker.WorkerThread;
import org.agrona.concurrent.SystemNanoClock;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * The fast path on real interfaces: one {@link Worker} running the switching pipeline over the
 * AF_XDP ports of the given host-side interfaces (one UMEM), with a route table that puts each
 * pod IP behind its interface and answers the pod's gateway ARP with the interface's own MAC.
 * Used by {@code isthmus fastpath} and the AF_XDP traffic tests.
 *
 * <p><b>Thread-safety:</b> {@link #start} and {@link #close} from one control thread; the
 * counters of {@link #ports()} and {@link #worker()} may be read from any thread.
 */
public final class AfXdpSwitch implements AutoCloseable {
    /** One pod behind one host-side interface. */
    public record PortSpec(String interfaceName, int podIp) {
        /** Parses {@code IFNAME=POD_IP}; the error names the argument. */
        public static PortSpec parse(String text) {
            final int eq = text.indexOf('=');
            if (eq <= 0 || eq == text.length() - 1) {
                throw new IllegalArgumentException("bad port '" + text + "': want IFNAME=POD_IP, e.g. isx1a2b3c=10.244.1.2");
            }
            try {
                return new PortSpec(text.substring(0, eq), Ipv4Address.parse(text.substring(eq + 1)));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("bad port '" + text + "': " + e.getMessage(), e);
            }
        }
    }

    private final AfXdpPortSet ports;
    private final Worker worker;
    private final WorkerRunner runner;
    private final RouteTable routes;

    private AfXdpSwitch(AfXdpPortSet ports, Worker worker, WorkerRunner runner, RouteTable routes) {
        this.ports = ports;
        this.worker = worker;
        this.runner = runner;
        this.routes = routes;
    }

    /** Attaches to every interface, builds the route table and starts the worker thread (inheriting nice value and CPUs). */
    public static AfXdpSwitch start(List<PortSpec> specs, XskConfig config, IdleMode idleMode) {
        return start(specs, config, idleMode, WorkerThread.INHERIT);
    }

    /** Attaches to every interface, builds the route table and starts the worker thread, placed as {@code placement} says. */
    public static AfXdpSwitch start(List<PortSpec> specs, XskConfig config, IdleMode idleMode, WorkerThread placement) {
        final RouteTable.Builder table = RouteTable.builder(1);
        for (int id = 0; id < specs.size(); id++) {
            table.port(id, macOf(specs.get(id).interfaceName()), specs.get(id).podIp());
        }
        final RouteTable routes = table.build();
        final AfXdpPortSet ports = AfXdpPortSet.open(specs.stream().map(PortSpec::interfaceName).toList(), config);
        try {
            for (AfXdpPort port : ports.ports()) {
                TxBudget.applyToWorkerPort(port);
            }
            final Worker worker = Worker.switching("isthmus-fastpath", ports.asPorts().toArray(Port[]::new), ports.pool(),
                    new RouteTableRef(routes), new SystemNanoClock());
            return new AfXdpSwitch(ports, worker, WorkerRunner.start(worker, idleMode, placement), routes);
        } catch (RuntimeException e) {
            ports.close();
            throw e;
        }
    }

    /** The MAC of a host interface ({@code /sys/class/net/NAME/address}); the error names a missing interface. */
    public static long macOf(String interfaceName) {
        try {
            return MacAddress.parse(Files.readString(Path.of("/sys/class/net", interfaceName, "address")).strip());
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("interface '" + interfaceName + "' does not exist (no /sys/class/net/"
                    + interfaceName + ")", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the MAC of " + interfaceName, e);
        }
    }

    public AfXdpPortSet ports() {
        return ports;
    }

    public Worker worker() {
        return worker;
    }

    public RouteTable routes() {
        return routes;
    }

    /** The first error the worker's duty cycle threw (a bug), or null. */
    public Throwable workerError() {
        return runner.firstError();
    }

    /** Stops the worker, then detaches everything (links, programs, maps, sockets, UMEM). */
    @Override
    public void close() {
        try {
            runner.close();
        } finally {
            ports.close();
        }
    }
}
