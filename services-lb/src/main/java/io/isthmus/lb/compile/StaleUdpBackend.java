package io.isthmus.lb.compile;

import io.isthmus.lb.ip.IpAddress;
import io.isthmus.lb.model.Protocol;

/**
 * A UDP backend (address, port) that served some Service port in the previous compilation and
 * serves none now. UDP has no connection end, so the agent flushes the conntrack entries whose
 * reply source is this tuple (as kube-proxy does for deleted UDP endpoints), or clients keep
 * sending to a dead backend until their entries time out.
 */
public record StaleUdpBackend(IpAddress address, int port, Protocol protocol) implements Comparable<StaleUdpBackend> {

    public static StaleUdpBackend udp(IpAddress address, int port) {
        return new StaleUdpBackend(address, port, Protocol.UDP);
    }

    @Override
    public int compareTo(StaleUdpBackend o) {
        int c = address.compareTo(o.address);
        return c != 0 ? c : Integer.compare(port, o.port);
    }
}
