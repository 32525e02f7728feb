package io.isthmus.slowpath.cni;

import io.isthmus.fastpath.linux.Libc;
import io.isthmus.slowpath.netlink.Link;
import io.isthmus.slowpath.netlink.Netns;
import io.isthmus.slowpath.netlink.Offloads;
import io.isthmus.slowpath.netlink.Route;
import io.isthmus.slowpath.netlink.RouteNetlink;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Pod interfaces through rtnetlink, as Calico lays them out: a veth whose pod end has the pod's
 * address as a /32, an on-link route to the gateway 169.254.1.1, a default route via it and a
 * permanent neighbour entry mapping it to the host end's MAC (so the pod never needs to ARP,
 * though the fast path answers if it does). The pod end keeps its TX checksum offload, scatter-gather,
 * TSO and GSO, as pods on a kernel-routed node do: the fast path's multi-buffer ports complete
 * partial checksums and take TCP super-packets whole (so a pod's TCP stack runs once per 64 KiB, not
 * per segment); only the offloads the fast path cannot finish are turned off
 * ({@link Offloads#keepForMultiBufferSwitching}). The host end is handed to the fast path. (Attached
 * natively, the default, the veth takes TSO/GSO from this pod end and its stack segments TCP itself,
 * checksum offload and scatter-gather stay; attached generically, {@code --xdp-mode generic}, it keeps TSO.)
 *
 * <p><b>Thread-safety:</b> called from the CNI server's one request thread.
 */
public final class NetlinkPodNetworkBackend implements PodNetworkBackend {
    private final FastpathPorts fastpath;

    public NetlinkPodNetworkBackend(FastpathPorts fastpath) {
        this.fastpath = fastpath;
    }

    @Override
    public PodInterfaces add(PodAttachment attachment) throws CniException, IOException {
        final Path netns = Path.of(attachment.netns());
        if (!Files.exists(netns)) {
            throw new CniException(CniException.INVALID_ENVIRONMENT, "CNI_NETNS " + netns + " does not exist");
        }
        try (RouteNetlink host = new RouteNetlink()) {
            if (host.link(attachment.hostIfName()).isPresent()) { // left by a crash between steps: IPAM says it is not ours any more
                host.deleteLink(attachment.hostIfName());
            }
            final int netnsFd = Netns.open(netns);
            try {
                host.createVeth(attachment.hostIfName(), attachment.ifName(), netnsFd);
            } finally {
                Libc.close(netnsFd, "netns " + netns);
            }
            try {
                final Link hostLink = host.link(attachment.hostIfName())
                        .orElseThrow(() -> new IOException("veth " + attachment.hostIfName() + " vanished after creation"));
                host.setUp(hostLink.index());
                final Link podLink = Netns.run(netns, () -> configurePodSide(attachment, hostLink.mac()));
                fastpath.attach(attachment.hostIfName(), attachment.address(), podLink.mac());
                return new PodInterfaces(hostLink.name(), hostLink.mac(), podLink.name(), podLink.mac());
            } catch (Exception e) {
                try {
                    host.deleteLink(attachment.hostIfName()); // takes the pod end with it
                } catch (RuntimeException cleanupFailure) {
                    e.addSuppressed(cleanupFailure); // the first failure is the one to report
                }
                throw e instanceof CniException c ? c : new CniException(CniException.IO_FAILURE,
                        "cannot set up " + attachment.ifName() + " in " + netns, e);
            }
        }
    }

    private static Link configurePodSide(PodAttachment attachment, String gatewayMac) {
        try (RouteNetlink pod = new RouteNetlink()) {
            final Link link = pod.link(attachment.ifName())
                    .orElseThrow(() -> new IllegalStateException(attachment.ifName() + " did not arrive in the pod's namespace"));
            Offloads.keepForMultiBufferSwitching(attachment.ifName());
            pod.link("lo").ifPresent(lo -> pod.setUp(lo.index()));
            pod.setUp(link.index());
            pod.addAddress(link.index(), attachment.address(), 32);
            pod.addRoute(attachment.gateway(), 32, null, link.index());
            pod.addRoute(Ipv4Cidr.ANY, 0, attachment.gateway(), link.index());
            pod.addPermanentNeighbour(link.index(), attachment.gateway(), gatewayMac);
            return link;
        }
    }

    @Override
    public void delete(String hostIfName, String netns, String ifName) throws IOException {
        try {
            fastpath.detach(hostIfName);
        } catch (Exception e) {
            throw new IOException("cannot detach " + hostIfName + " from the fast path: " + e.getMessage(), e);
        }
        try (RouteNetlink host = new RouteNetlink()) {
            host.deleteLink(hostIfName); // false when already gone: DEL is idempotent
        }
    }

    @Override
    public void check(PodAttachment attachment) throws CniException, IOException {
        final List<String> problems = new ArrayList<>();
        final Link hostLink;
        try (RouteNetlink host = new RouteNetlink()) {
            hostLink = host.link(attachment.hostIfName()).orElse(null);
        }
        if (hostLink == null || !hostLink.up()) {
            problems.add("host interface " + attachment.hostIfName() + (hostLink == null ? " is missing" : " is down"));
        }
        if (!fastpath.isAttached(attachment.hostIfName())) {
            problems.add("host interface " + attachment.hostIfName() + " is not attached to the fast path");
        }
        final Path netns = Path.of(attachment.netns());
        if (!Files.exists(netns)) {
            problems.add("network namespace " + netns + " is gone");
        } else {
            try {
                problems.addAll(Netns.run(netns, () -> podSideProblems(attachment, hostLink)));
            } catch (Exception e) {
                problems.add("cannot inspect " + netns + ": " + e.getMessage());
            }
        }
        if (!problems.isEmpty()) {
            throw new CniException(CniException.CHECK_FAILED, "the pod's network is not as ADD left it", String.join("; ", problems));
        }
    }

    private static List<String> podSideProblems(PodAttachment attachment, Link hostLink) {
        final List<String> problems = new ArrayList<>();
        try (RouteNetlink pod = new RouteNetlink()) {
            final Optional<Link> link = pod.link(attachment.ifName());
            if (link.isEmpty()) {
                problems.add(attachment.ifName() + " is missing in the pod");
                return problems;
            }
            final int index = link.get().index();
            if (!link.get().up()) {
                problems.add(attachment.ifName() + " is down");
            }
            final String address = attachment.address().getHostAddress() + "/32";
            if (!pod.addresses(index).contains(address)) {
                problems.add(attachment.ifName() + " lacks " + address);
            }
            final List<Route> routes = pod.routes();
            if (routes.stream().noneMatch(r -> r.prefixLength() == 0 && attachment.gateway().equals(r.gateway()) && r.outputIndex() == index)) {
                problems.add("no default route via " + attachment.gateway().getHostAddress() + " on " + attachment.ifName());
            }
            if (routes.stream().noneMatch(r -> r.prefixLength() == 32 && attachment.gateway().equals(r.destination()) && r.outputIndex() == index)) {
                problems.add("no on-link route to " + attachment.gateway().getHostAddress());
            }
            if (hostLink != null && !pod.neighbour(index, attachment.gateway()).map(n -> n.permanent() && n.mac().equals(hostLink.mac())).orElse(false)) {
                problems.add("no permanent neighbour " + attachment.gateway().getHostAddress() + " at " + hostLink.mac());
            }
        }
        return problems;
    }

    @Override
    public Optional<String> unavailableReason() {
        if (Libc.geteuid() != 0) {
            return Optional.of("the agent is not running as root");
        }
        return fastpath.unavailableReason();
    }
}
