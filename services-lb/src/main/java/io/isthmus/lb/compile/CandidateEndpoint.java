package io.isthmus.lb.compile;

import io.isthmus.lb.ip.IpAddress;

/** One endpoint of one service port, after the slices are merged: the input of {@link EndpointCategorizer}. */
record CandidateEndpoint(IpAddress address, int port, boolean ready, boolean serving, boolean terminating, boolean local)
        implements Comparable<CandidateEndpoint> {

    String maglevName() {
        return address + ":" + port;
    }

    @Override
    public int compareTo(CandidateEndpoint o) {
        int c = address.compareTo(o.address);
        return c != 0 ? c : Integer.compare(port, o.port);
    }
}
