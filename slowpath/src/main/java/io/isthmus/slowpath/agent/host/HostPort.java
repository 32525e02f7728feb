package io.isthmus.slowpath.agent.host;

import io.isthmus.fastpath.control.FastpathControl;
import io.isthmus.fastpath.control.PortAttachment;
import io.isthmus.fastpath.linux.Libc;
import io.isthmus.fastpath.packet.MacAddress;
import io.isthmus.slowpath.cni.Ipv4Cidr;
import io.isthmus.slowpath.netlink.Link;
import io.isthmus.slowpath.netlink.Netns;
import io.isthmus.slowpath.netlink.Offloads;
import io.isthmus.slowpath.netlink.RouteNetlink;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The node's port on the fast path (Cilium's {@code cilium_host}, Calico's host routes): a veth
 * pair in the host namespace. The host end ({@code isthmus0}) gets the pod CIDR route, on-link,
 * with the node address as its preferred source, and the agent's local addresses (the cluster DNS
 * address, for DNS over TCP); the other end is attached to the fast path as its port of kind HOST,
 * where destinations without a pod /32 go and where the host's ARP for pod addresses is answered.
 *
 * <pre>
 *   node (host netns)                                   fast path
 *   ingress proxy, DNS over TCP, probes                  parse .. route: no pod /32 ─▶ host port
 *     │ 10.244.0.0/24 dev isthmus0 src NODE-IP            proxy ARP: who-has POD on the host port
 *   isthmus0 ═══════════ veth ═══════════ isthmus0fp ──XDP/AF_XDP──▶ worker ─▶ pod ports
 *   (NODE-IP if no other interface has it, DNS-IP)/32
 * </pre>
 *
 * <p>Why the node address, not a link-local or a pod-CIDR address: pods then see the node as the
 * address the rest of the system already uses for it (their status.hostIP, NodePorts, the flow
 * stages' node address), so NetworkPolicy's "traffic from the node is allowed" holds for the
 * ingress proxy and for probes without another identity to teach, and no pod address is taken
 * from IPAM. The address is added to the host end only when no interface has it (a test, a node
 * address given by flag): the route's preferred source must be local.
 *
 * <p>{@link #close()} detaches the port (the XDP link with it) and deletes the veth, which takes
 * its addresses and the route along: nothing stays behind. A host end left by an agent that
 * crashed is deleted before a new one is made.
 *
 * <p><b>Thread-safety:</b> made and closed by the agent's owning thread.
 */
public final class HostPort implements AutoCloseable {
    /**
     * The node's source towards pods when its only address is loopback (no default route): a
     * link-local address next to the pods' gateway 169.254.1.1, routed to the host port like any
     * address without a pod.
     */
    public static final Inet4Address FALLBACK_NODE_ADDRESS = Ipv4Cidr.parseAddress("169.254.1.2");

    private final HostPortConfig config;
    private final FastpathControl control;
    private final Duration timeout;
    private final String hostMac;
    private final List<Inet4Address> localAddresses;
    private boolean closed;

    private HostPort(HostPortConfig config, FastpathControl control, Duration timeout, String hostMac, List<Inet4Address> localAddresses) {
        this.config = config;
        this.control = control;
        this.timeout = timeout;
        this.hostMac = hostMac;
        this.localAddresses = localAddresses;
    }

    /**
     * Makes the veth pair, addresses and route, and attaches the fast-path end through {@code control}
     * (waiting at most {@code timeout}); undoes it all and throws, naming the step, on failure.
     *
     * @param nodeAddress     the route's preferred source: how pods see the node
     * @param extraAddresses  addresses the host must own so the agent can serve on them (the cluster DNS)
     */
    public static HostPort create(HostPortConfig config, Ipv4Cidr podCidr, Inet4Address nodeAddress, List<Inet4Address> extraAddresses,
                                  FastpathControl control, Duration timeout) throws IOException {
        try (RouteNetlink netlink = new RouteNetlink()) {
            for (String name : List.of(config.hostIfName(), config.fastpathIfName())) {
                if (netlink.link(name).isPresent()) { // an earlier agent's, left by a crash
                    netlink.deleteLink(name);
                }
            }
            final int ownNetns = Netns.open(Path.of("/proc/thread-self/ns/net"));
            try {
                netlink.createVeth(config.hostIfName(), config.fastpathIfName(), ownNetns);
            } finally {
                Libc.close(ownNetns, "the agent's network namespace");
            }
            try {
                final List<Inet4Address> added = new ArrayList<>();
                final Link host = configure(netlink, config, podCidr, nodeAddress, extraAddresses, added);
                final HostPort port = new HostPort(config, control, timeout, host.mac(), List.copyOf(added));
                port.await(control.attachPort(PortAttachment.host(config.fastpathIfName(), MacAddress.parse(host.mac()))),
                        "attach " + config.fastpathIfName() + " to the fast path");
                return port;
            } catch (IOException | RuntimeException e) {
                try {
                    netlink.deleteLink(config.hostIfName());
                } catch (RuntimeException cleanup) {
                    e.addSuppressed(cleanup);
                }
                throw new IOException("cannot set up the host port " + config.hostIfName() + ": " + e.getMessage(), e);
            }
        }
    }

    private static Link configure(RouteNetlink netlink, HostPortConfig config, Ipv4Cidr podCidr, Inet4Address nodeAddress,
                                  List<Inet4Address> extraAddresses, List<Inet4Address> added) throws IOException {
        final Link host = netlink.link(config.hostIfName())
                .orElseThrow(() -> new IOException("veth " + config.hostIfName() + " vanished after creation"));
        final Link fastpathEnd = netlink.link(config.fastpathIfName())
                .orElseThrow(() -> new IOException("veth " + config.fastpathIfName() + " vanished after creation"));
        disableIpv6(config.hostIfName());
        disableIpv6(config.fastpathIfName());
        // The node's kernel must hand the fast path whole frames: no partial checksums, no super-packets.
        Offloads.disableForUserspaceSwitching(config.hostIfName());
        netlink.setUp(fastpathEnd.index());
        netlink.setUp(host.index());
        if (!isLocal(nodeAddress)) {
            netlink.addAddress(host.index(), nodeAddress, 32);
            added.add(nodeAddress);
        }
        for (Inet4Address address : extraAddresses) {
            if (!address.equals(nodeAddress)) {
                netlink.addAddress(host.index(), address, 32);
                added.add(address);
            }
        }
        try {
            netlink.addRoute(Ipv4Cidr.toAddress(podCidr.network()), podCidr.prefixLength(), null, host.index(), nodeAddress);
        } catch (RuntimeException e) {
            throw new IOException("route " + podCidr + " dev " + config.hostIfName() + " src " + nodeAddress.getHostAddress()
                    + ": " + e.getMessage() + " (does another route, or another agent, own the pod CIDR?)", e);
        }
        return host;
    }

    /** Whether an interface of this namespace has {@code address} (a bind to it succeeds). */
    static boolean isLocal(Inet4Address address) {
        try (DatagramSocket probe = new DatagramSocket(new InetSocketAddress(address, 0))) {
            return true;
        } catch (SocketException e) {
            return false;
        }
    }

    /** No router solicitations or other IPv6 chatter on the port (the fast path does not route IPv6). */
    private static void disableIpv6(String ifName) throws IOException {
        final Path knob = Path.of("/proc/sys/net/ipv6/conf", ifName, "disable_ipv6");
        if (Files.exists(knob)) { // a kernel without IPv6 has none
            Files.writeString(knob, "1");
        }
    }

    public HostPortConfig config() {
        return config;
    }

    /** The host end's MAC (where the fast path addresses frames for the node). */
    public String hostMac() {
        return hostMac;
    }

    /** The addresses this port added to the host end (removed with it). */
    public List<Inet4Address> addedAddresses() {
        return localAddresses;
    }

    /** Detaches the fast-path end, then deletes the veth (its addresses and the route go with it). Idempotent. */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        IOException failure = null;
        try {
            await(control.detachPort(config.fastpathIfName()), "detach " + config.fastpathIfName());
        } catch (IOException e) {
            failure = e;
        }
        try (RouteNetlink netlink = new RouteNetlink()) {
            netlink.deleteLink(config.hostIfName());
        } catch (RuntimeException e) {
            final IOException deleteFailure = new IOException("cannot delete the host port " + config.hostIfName() + ": " + e.getMessage(), e);
            if (failure == null) {
                failure = deleteFailure;
            } else {
                failure.addSuppressed(deleteFailure);
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    private void await(java.util.concurrent.CompletableFuture<Void> step, String what) throws IOException {
        try {
            step.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new IOException(what + ": the fast path did not answer within " + timeout.toMillis() + " ms", e);
        } catch (ExecutionException e) {
            throw new IOException(what + ": " + e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(what + ": interrupted", e);
        }
    }
}
