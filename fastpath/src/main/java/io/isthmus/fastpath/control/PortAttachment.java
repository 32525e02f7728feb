package io.isthmus.fastpath.control;

/**
 * A pod's host-side interface as the CNI server hands it to the fast path.
 *
 * @param hostIfName the host end of the pod's veth (e.g. {@code isx0123456789a})
 * @param podIp      the pod's IPv4 address (network order as an int, see {@code Ipv4Address})
 * @param podMac     the pod interface's MAC (low 48 bits)
 * @param podKey     {@code namespace/name} of the pod when known (for counters and status), else the container id
 */
public record PortAttachment(String hostIfName, int podIp, long podMac, String podKey) {
}
