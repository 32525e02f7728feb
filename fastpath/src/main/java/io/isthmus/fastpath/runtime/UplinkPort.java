package io.isthmus.fastpath.runtime;

import io.isthmus.fastpath.bpf.KernelPortsMap;
import io.isthmus.fastpath.bpf.ServiceFrontendsMap;
import io.isthmus.fastpath.port.PortCounters;
import io.isthmus.fastpath.uplink.Uplink;
import io.isthmus.fastpath.uplink.UplinkBinding;
import io.isthmus.fastpath.uplink.UplinkConfig;
import io.isthmus.fastpath.uplink.RxQueueCount;
import io.isthmus.fastpath.worker.Worker;
import io.isthmus.fastpath.xsk.AfXdpInterface;
import io.isthmus.fastpath.xsk.AfXdpPort;
import io.isthmus.fastpath.xsk.AfXdpPortFactory;
import io.isthmus.fastpath.xsk.AfXdpSwitch;

import io.isthmus.lb.compile.Compilation;
import io.isthmus.lb.compile.HealthCheckService;
import io.isthmus.lb.table.FrontendKey;
import io.isthmus.lb.table.ServiceTable;
import io.isthmus.lb.table.ServiceTableDescriptor;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The node's uplink as ports of the worker: one AF_XDP socket per RX queue of the uplink interface
 * (a NIC spreads flows over its queues with RSS; the steering program redirects into the XSKMAP at
 * {@code rx_queue_index}, so a queue without a socket would give its Service flows to the kernel,
 * which has no rule for them), all under one XDP program, the steering program
 * ({@code UplinkSteeringProgramBuilder}: NodePorts on the node addresses and the service CIDRs come
 * to the fast path, the host keeps the rest); queue {@code q} in slot {@code first + q}, the highest
 * free slots (pods take the lowest); and the {@link Uplink} binding that tells the uplink stages
 * which slots they are. The queue count is read at attach; queues added or removed later
 * ({@code ethtool -L}) are not followed: detach and attach again.
 *
 * <pre>
 *   attach:  RX queues (ethtool) ─▶ n free slots ─▶ factory.openQueues (n sockets, XSKMAP,
 *            steering program, BPF link) ─▶ worker takes each port ─▶ bind (release): stages start
 *   detach:  unbind (release) ─▶ worker lets go of each ─▶ factory.closeQueues (link first: the
 *            kernel gets every frame again) ─▶ worker reclaims each port's frames
 * </pre>
 *
 * <p><b>Thread-safety:</b> {@link #attach} and {@link #detach} on the runtime's control thread (the
 * same one that runs the {@link PortManager}, so the two never race for a slot); they and
 * {@link #kernelPorts(Collection)} (any thread, e.g. the Service compile cycle's listener) hold
 * this object's monitor, never taken on the fast path; {@link #attached()}, {@link #describeQueues()} from any thread.
 */
public final class UplinkPort {
    private final Worker worker;
    private final AfXdpPortFactory factory;
    private final PortManager pods;
    private final Uplink uplink;
    private final Duration commandTimeout;
    private volatile UplinkConfig config;
    private volatile String description;
    private volatile int slot = -1;
    private volatile int queueCount;
    private KernelPortsMap kernelPortsMap;
    private Set<Integer> kernelPorts = Set.of();
    private ServiceFrontendsMap frontendsMap;
    private Set<ServiceFrontendsMap.Frontend> frontends = Set.of();

    public UplinkPort(Worker worker, AfXdpPortFactory factory, PortManager pods, Uplink uplink, Duration commandTimeout) {
        this.worker = worker;
        this.factory = factory;
        this.pods = pods;
        this.uplink = uplink;
        this.commandTimeout = commandTimeout;
    }

    /**
     * Attaches the uplink: one AF_XDP socket per receive queue the interface has now
     * ({@link RxQueueCount}), in consecutive free slots from the top; returns the slot of queue 0.
     * Throws (naming the interface) when it is already attached, the worker has too few free slots
     * or the kernel refuses; then nothing stays attached.
     */
    public synchronized int attach(UplinkConfig uplinkConfig) {
        if (config != null) {
            throw new IllegalStateException("an uplink is attached already (" + config.interfaceName() + ")");
        }
        final String interfaceName = uplinkConfig.interfaceName();
        final int queues = RxQueueCount.of(interfaceName);
        final int first = freeSlots(queues, interfaceName);
        final long localMac = AfXdpSwitch.macOf(interfaceName);
        final KernelPortsMap map = KernelPortsMap.create("isx_kernel_ports");
        final ServiceFrontendsMap external;
        try {
            external = ServiceFrontendsMap.create("isx_svc_fronts");
        } catch (RuntimeException e) {
            map.close();
            throw e;
        }
        final List<AfXdpPort> opened;
        try {
            map.set(kernelPorts);
            external.set(frontends);
            opened = factory.openQueues(first, interfaceName, queues,
                    (mapFd, multiBuffer) -> uplinkConfig.loadProgram(mapFd, map, external, multiBuffer));
        } catch (RuntimeException e) {
            map.close();
            external.close();
            throw e;
        }
        int taken = 0;
        try {
            for (AfXdpPort port : opened) {
                await(worker.attach(port, 0), "attach uplink " + interfaceName + " queue " + taken);
                taken++;
            }
        } catch (RuntimeException e) {
            try {
                letGo(first, taken, interfaceName); // the queues the worker took; the others never had a frame
            } catch (RuntimeException cleanup) {
                e.addSuppressed(cleanup);
            } finally {
                map.close();
                external.close();
            }
            throw e;
        }
        kernelPortsMap = map;
        frontendsMap = external;
        final AfXdpInterface attached = factory.interfaceAt(first);
        description = attached.describe() + (queues > 1 ? " in slots " + first + "-" + (first + queues - 1) : " in slot " + first)
                + "; " + uplinkConfig.describe();
        slot = first;
        queueCount = queues;
        config = uplinkConfig;
        uplink.bindRelease(new UplinkBinding(first, queues, localMac));
        return first;
    }

    /** Detaches the uplink, every queue (the host gets all its frames again); false when none was attached. */
    public synchronized boolean detach() {
        final UplinkConfig attachedConfig = config;
        if (attachedConfig == null) {
            return false;
        }
        uplink.unbindRelease();
        config = null;
        description = null;
        try {
            letGo(slot, queueCount, attachedConfig.interfaceName());
        } finally {
            kernelPortsMap.close();
            kernelPortsMap = null;
            frontendsMap.close();
            frontendsMap = null;
            slot = -1;
            queueCount = 0;
        }
        return true;
    }

    /**
     * The worker lets go of the first {@code taken} queue ports (slots {@code first..}), the factory
     * closes the interface with all its sockets (link first: the program and its maps are unused
     * after), then the worker reclaims the frames each released port had lent the kernel.
     */
    private void letGo(int first, int taken, String interfaceName) {
        final boolean[] released = new boolean[taken];
        RuntimeException failure = null;
        for (int q = 0; q < taken; q++) {
            try {
                released[q] = await(worker.detach(first + q), "detach uplink " + interfaceName + " queue " + q) != null;
            } catch (RuntimeException e) {
                failure = failure == null ? e : suppress(failure, e);
            }
        }
        if (failure != null) {
            throw failure; // a port the worker may still drive: its socket and rings must stay mapped
        }
        final List<AfXdpPort> closed = factory.closeQueues(first);
        for (int q = 0; q < taken && q < closed.size(); q++) {
            final AfXdpPort port = closed.get(q);
            if (released[q] && port != null) {
                try {
                    await(worker.call(port::reclaimLentFrames), "reclaim the frames of uplink " + interfaceName + " queue " + q);
                } catch (RuntimeException e) {
                    failure = failure == null ? e : suppress(failure, e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    private static RuntimeException suppress(RuntimeException first, RuntimeException next) {
        first.addSuppressed(next);
        return first;
    }

    /**
     * Any thread: the node-address ports inside the NodePort range that the host serves itself
     * (kube-proxy's health-check node ports): the steering program passes them to the kernel. Kept
     * while no uplink is attached and applied at the next attach.
     */
    public synchronized void kernelPorts(Collection<Integer> ports) {
        kernelPorts = Set.copyOf(ports);
        if (kernelPortsMap != null) {
            kernelPortsMap.set(kernelPorts);
        }
    }

    /** Any thread: the ports {@link #kernelPorts(Collection)} last gave. */
    public synchronized Set<Integer> kernelPorts() {
        return kernelPorts;
    }

    /**
     * Any thread: the exact frontends on addresses that are not the node's (externalIPs,
     * LoadBalancer IPs) the steering program redirects besides the configured CIDRs. Kept while no
     * uplink is attached and applied at the next attach.
     */
    public synchronized void serviceFrontends(Collection<ServiceFrontendsMap.Frontend> external) {
        frontends = Set.copyOf(external);
        if (frontendsMap != null) {
            frontendsMap.set(frontends);
        }
    }

    /** Any thread: the frontends {@link #serviceFrontends} last gave. */
    public synchronized Set<ServiceFrontendsMap.Frontend> serviceFrontends() {
        return frontends;
    }

    /**
     * Follows one Service compilation (what the agent registers with
     * {@code ServiceCompileCycle.alsoTell}): its health-check node ports become the kernel's, its
     * externalIP and LoadBalancer frontends (IPv4, TCP/UDP) are steered to the fast path.
     */
    public void follow(Compilation compilation) {
        kernelPorts(compilation.healthChecks().stream().map(HealthCheckService::healthCheckNodePort).toList());
        serviceFrontends(externalFrontends(compilation.table()));
    }

    /** The frontends of {@code table} that outside clients reach on Service-owned addresses: externalIPs and LB IPs. */
    public static List<ServiceFrontendsMap.Frontend> externalFrontends(ServiceTable table) {
        final List<ServiceFrontendsMap.Frontend> out = new ArrayList<>();
        final List<FrontendKey> keys = table.frontendKeys();
        for (int k = 0; k < keys.size(); k++) {
            final FrontendKey key = keys.get(k);
            final int flags = table.flags(table.frontendId(k));
            final int protocol = key.protocol().ipProtocolNumber();
            if ((flags & (ServiceTableDescriptor.FLAG_EXTERNAL_IP | ServiceTableDescriptor.FLAG_LOAD_BALANCER)) != 0
                    && key.address().isIpv4() && (protocol == 6 || protocol == 17)) {
                out.add(new ServiceFrontendsMap.Frontend(key.address().ipv4(), key.port(), protocol));
            }
        }
        return out;
    }

    /** Any thread: the attached uplink's configuration, or null. */
    public UplinkConfig attached() {
        return config;
    }

    /** Any thread: one line for logs ({@code eth1: XDP native, AF_XDP copy mode; NodePorts ...}), or null. */
    public String describe() {
        return description;
    }

    /** The slot of the uplink's queue 0, or -1; queue {@code q} is in slot {@code slot() + q}. */
    public int slot() {
        return slot;
    }

    /** How many RX queues (one socket and port slot each) the attached uplink has; 0 when none is attached. */
    public int queueCount() {
        return queueCount;
    }

    /**
     * Any thread: each queue's receive and transmit packets, one line for logs
     * ({@code eth1 q0 rx=120 tx=118, q1 rx=96 tx=96}), or null when no uplink is attached.
     */
    public String describeQueues() {
        final UplinkConfig attachedConfig = config;
        final int first = slot;
        final int queues = queueCount;
        if (attachedConfig == null || first < 0) {
            return null;
        }
        final StringBuilder line = new StringBuilder(attachedConfig.interfaceName());
        for (int q = 0; q < queues; q++) {
            final PortCounters counters = worker.portAt(first + q).counters();
            line.append(q == 0 ? " q" : ", q").append(q)
                    .append(" rx=").append(counters.get(PortCounters.Counter.RX_PACKETS))
                    .append(" tx=").append(counters.get(PortCounters.Counter.TX_PACKETS));
        }
        return line.toString();
    }

    /** The highest {@code count} consecutive free slots (pods take the lowest); returns the first. */
    private int freeSlots(int count, String interfaceName) {
        final boolean[] used = new boolean[worker.slotCount()];
        for (PortManager.AttachedPort pod : pods.attached()) {
            used[pod.slot()] = true;
        }
        int run = 0;
        for (int s = used.length - 1; s >= 0; s--) {
            run = !used[s] && factory.interfaceAt(s) == null ? run + 1 : 0;
            if (run == count) {
                return s;
            }
        }
        throw new IllegalStateException(interfaceName + " has " + count + " RX queues, one AF_XDP socket each, but worker '"
                + worker.roleName() + "' has no " + count + " consecutive free port slots of its " + used.length
                + ": no room for the uplink");
    }

    private <T> T await(CompletableFuture<T> step, String what) {
        try {
            return step.get(commandTimeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new IllegalStateException(what + ": the worker did not answer within " + commandTimeout.toMillis() + " ms", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(what + " failed: " + e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(what + " interrupted", e);
        }
    }
}
