package io.isthmus.slowpath.cni;

import java.net.Inet4Address;

/** One pod address handed out by {@link IpamStore}, keyed as the CNI spec asks: (network, container, interface). */
public record Allocation(String network, String containerId, String ifName, Inet4Address address) {

    public boolean sameAttachment(String otherNetwork, String otherContainerId, String otherIfName) {
        return network.equals(otherNetwork) && containerId.equals(otherContainerId) && ifName.equals(otherIfName);
    }
}
