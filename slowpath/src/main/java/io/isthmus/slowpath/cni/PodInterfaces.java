package io.isthmus.slowpath.cni;

/** What ADD made: the host end and the pod end of the veth, with their MAC addresses. */
public record PodInterfaces(String hostIfName, String hostMac, String podIfName, String podMac) {
}
