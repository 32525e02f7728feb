package io.isthmus.fastpath.runtime;

import io.isthmus.fastpath.bpf.KernelPortsMap;
import io.isthmus.fastpath.bpf.ServiceFrontendsMap;
import io.isthmus.fastpath.port.Port;
import io.isthmus.fastpath.uplink.Uplink;
import io.isthmus.fastpath.uplink.UplinkBinding;
import io.isthmus.fastpath.uplink.UplinkConfig;
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
 * The node's uplink as a port of the worker: an AF_XDP socket on the uplink interface whose XDP
 * program is the steering program ({@code UplinkSteeringProgramBuilder}: NodePorts on the node
 * addresses and the service CIDRs come to the fast path, the host keeps the rest), in the highest
 * free port slot (pods take the lowest), and the {@link Uplink} binding that tells the uplink
 * stages which slot it is.
 *
 * <pre>
 *   attach:  free slot ─▶ factory.open (socket, XSKMAP, steering program, BPF link)
 *            ─▶ worker takes the port ─▶ bind (release): the uplink stages start
 *   detach:  unbind (release) ─▶ worker lets go ─▶ factory.close (link first: the kernel gets
 *            every frame again) ─▶ worker reclaims the port's frames
 * </pre>
 *
 * <p><b>Thread-safety:</b> {@link #attach} and {@link #detach} on the runtime's control thread (the
 * same one that runs the {@link PortManager}, so the two never race for a slot); they and
 * {@link #kernelPorts(Collection)} (any thread, e.g. the Service compile cycle's listener) hold
 * this object's monitor, never taken on the fast path; {@link #attached()} from any thread.
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

    /** Attaches the uplink; returns its slot. Throws (naming the interface) when it is already attached or the kernel refuses. */
    public synchronized int attach(UplinkConfig uplinkConfig) {
        if (config != null) {
            throw new IllegalStateException("an uplink is attached already (" + config.interfaceName() + ")");
        }
        final int free = freeSlot();
        final long localMac = AfXdpSwitch.macOf(uplinkConfig.interfaceName());
        final KernelPortsMap map = KernelPortsMap.create("isx_kernel_ports");
        final ServiceFrontendsMap external;
        try {
            external = ServiceFrontendsMap.create("isx_svc_fronts");
        } catch (RuntimeException e) {
            map.close();
            throw e;
        }
        final AfXdpPort port;
        try {
            map.set(kernelPorts);
            external.set(frontends);
            port = factory.open(free, uplinkConfig.interfaceName(), (mapFd, multiBuffer) -> uplinkConfig.loadProgram(mapFd, map, external, multiBuffer));
        } catch (RuntimeException e) {
            map.close();
            external.close();
            throw e;
        }
        try {
            await(worker.attach(port, 0), "attach uplink " + uplinkConfig.interfaceName());
        } catch (RuntimeException e) {
            factory.close(free); // the worker never had it: no frame was lent
            map.close();
            external.close();
            throw e;
        }
        kernelPortsMap = map;
        frontendsMap = external;
        final AfXdpInterface attached = factory.interfaceAt(free);
        description = attached.describe() + "; " + uplinkConfig.describe();
        slot = free;
        config = uplinkConfig;
        uplink.bindRelease(new UplinkBinding(free, localMac));
        return free;
    }

    /** Detaches the uplink (the host gets all its frames again); false when none was attached. */
    public synchronized boolean detach() {
        final UplinkConfig attachedConfig = config;
        if (attachedConfig == null) {
            return false;
        }
        uplink.unbindRelease();
        config = null;
        description = null;
        final Port released = await(worker.detach(slot), "detach uplink " + attachedConfig.interfaceName());
        final AfXdpPort port;
        try {
            port = factory.close(slot); // the link first: the program (and its use of the map) is gone after
        } finally {
            kernelPortsMap.close();
            kernelPortsMap = null;
            frontendsMap.close();
            frontendsMap = null;
        }
        if (released != null && port != null) {
            await(worker.call(port::reclaimLentFrames), "reclaim the frames of uplink " + attachedConfig.interfaceName());
        }
        slot = -1;
        return true;
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

    /** The slot of the uplink, or -1. */
    public int slot() {
        return slot;
    }

    private int freeSlot() {
        final boolean[] used = new boolean[worker.slotCount()];
        for (PortManager.AttachedPort pod : pods.attached()) {
            used[pod.slot()] = true;
        }
        for (int s = used.length - 1; s >= 0; s--) {
            if (!used[s] && factory.interfaceAt(s) == null) {
                return s;
            }
        }
        throw new IllegalStateException("all " + used.length + " port slots of worker '" + worker.roleName() + "' are in use: no slot for the uplink");
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
