package io.isthmus.fastpath.control;

import io.isthmus.fastpath.pipeline.PortKind;

/**
 * An interface the slow path hands to the fast path: a pod's host-side veth (from the CNI server)
 * or the fast-path end of the node's host veth (from the agent).
 *
 * @param hostIfName the interface the fast path opens (e.g. {@code isx0123456789a}, or the host
 *                   veth's peer {@code isthmus0p})
 * @param podIp      the pod's IPv4 address (network order as an int, see {@code Ipv4Address}); 0 for the host port
 * @param podMac     the MAC of the far end (the pod's interface; for the host port the host veth's
 *                   own end, where frames to the node are addressed), low 48 bits
 * @param podKey     {@code namespace/name} of the pod when known (for counters and status), else the
 *                   container id; for the host port a label such as {@code host}
 * @param kind       {@link PortKind#POD} or {@link PortKind#HOST} (default route, proxy ARP)
 */
public record PortAttachment(String hostIfName, int podIp, long podMac, String podKey, PortKind kind) {

    public PortAttachment {
        if (kind == null) {
            throw new IllegalArgumentException("port " + hostIfName + ": kind is null");
        }
        if (kind == PortKind.HOST && podIp != 0) {
            throw new IllegalArgumentException("host port " + hostIfName + " cannot carry a pod IP");
        }
    }

    /** A pod's port. */
    public PortAttachment(String hostIfName, int podIp, long podMac, String podKey) {
        this(hostIfName, podIp, podMac, podKey, PortKind.POD);
    }

    /** The host port: {@code fastpathIfName} is the fast-path end of the host veth, {@code hostMac} the host end's MAC. */
    public static PortAttachment host(String fastpathIfName, long hostMac) {
        return new PortAttachment(fastpathIfName, 0, hostMac, "host", PortKind.HOST);
    }
}
