package io.isthmus.lb.table;

import io.isthmus.lb.ip.IpAddress;

/** One backend slot of a frontend, read back for dumps and tests. */
public record BackendView(int slot, IpAddress address, int port, int backendId, boolean local, boolean terminating,
                          boolean inClusterSet, boolean inLocalSet) {

    @Override
    public String toString() {
        return (address.isIpv4() ? address.toString() : "[" + address + "]") + ":" + port
                + (local ? " local" : "") + (terminating ? " terminating" : "")
                + (inClusterSet ? " cluster" : "") + (inLocalSet ? " localset" : "");
    }
}
