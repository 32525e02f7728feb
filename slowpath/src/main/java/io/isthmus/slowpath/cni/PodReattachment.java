package io.isthmus.slowpath.cni;

import io.isthmus.slowpath.netlink.RouteNetlink;

import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * What an agent that (re)starts does before it takes CNI requests: the pods added by an earlier
 * agent still have their veths and addresses (the container runtime does not call ADD again), so
 * every allocation of the {@link IpamStore} whose host-side veth still exists is attached to the
 * new fast path. The pod's MAC is not known here; the fast path learns it from the pod's frames
 * or asks with ARP. An allocation whose veth is gone is left for DEL or GC to release.
 *
 * <p><b>Thread-safety:</b> run once, on the agent's starting thread, before the CNI server starts.
 */
public final class PodReattachment {
    private static final String UNKNOWN_MAC = "00:00:00:00:00:00";

    private PodReattachment() {
    }

    /** Attaches every surviving pod; returns the host interfaces attached. Failures are reported on {@code log} and skipped. */
    public static List<String> reattach(IpamStore ipam, FastpathPorts ports, PrintStream log) throws IOException {
        final List<String> attached = new ArrayList<>();
        try (RouteNetlink host = new RouteNetlink()) {
            for (String network : ipam.networks()) {
                for (Allocation allocation : ipam.all(network)) {
                    final String hostIf = PodAttachment.hostInterfaceName(allocation.containerId(), allocation.ifName());
                    if (host.link(hostIf).isEmpty()) {
                        continue;
                    }
                    try {
                        ports.attach(hostIf, allocation.address(), UNKNOWN_MAC);
                        attached.add(hostIf);
                    } catch (Exception e) {
                        log.println("isthmus agent: cannot re-attach pod interface " + hostIf + " ("
                                + allocation.address().getHostAddress() + ", container " + allocation.containerId() + "): " + e.getMessage());
                    }
                }
            }
        }
        return attached;
    }
}
