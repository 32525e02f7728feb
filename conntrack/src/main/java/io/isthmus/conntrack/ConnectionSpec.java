package io.isthmus.conntrack;

/**
 * A connection to insert: both tuples, protocol, zone, first state and the decisions the first
 * packet took. Mutable and reused: a worker fills the one its {@link ConntrackCursor} owns, so
 * inserting allocates nothing. Addresses as in {@link Addresses}; ports packed with
 * {@link ConntrackDescriptor#ports(int, int)}.
 *
 * <p>Thread-safety: owned by one worker thread.
 */
public final class ConnectionSpec {

    public long origSrcHi;
    public long origSrcLo;
    public long origDstHi;
    public long origDstLo;
    public int origPorts;
    public long replySrcHi;
    public long replySrcLo;
    public long replyDstHi;
    public long replyDstLo;
    public int replyPorts;
    public int proto;
    public int zone;
    public int stateId;
    public int flags;
    public int verdict;
    public int serviceId;
    public int outPort;

    /** Sets the original tuple and a reply tuple that is its mirror (no NAT). */
    public ConnectionSpec tuple(long srcHi, long srcLo, long dstHi, long dstLo, int sourcePort, int destinationPort,
                                int proto, int zone) {
        origSrcHi = srcHi;
        origSrcLo = srcLo;
        origDstHi = dstHi;
        origDstLo = dstLo;
        origPorts = ConntrackDescriptor.ports(sourcePort, destinationPort);
        replySrcHi = dstHi;
        replySrcLo = dstLo;
        replyDstHi = srcHi;
        replyDstLo = srcLo;
        replyPorts = ConntrackDescriptor.ports(destinationPort, sourcePort);
        this.proto = proto;
        this.zone = zone;
        flags = Addresses.isIpv4Mapped(srcHi, srcLo) ? 0 : ConntrackFlags.IPV6;
        stateId = ConntrackState.GENERIC.id();
        verdict = 0;
        serviceId = 0;
        outPort = 0;
        return this;
    }

    /** Destination NAT: replies come from the backend. */
    public ConnectionSpec dnat(long backendHi, long backendLo, int backendPort) {
        replySrcHi = backendHi;
        replySrcLo = backendLo;
        replyPorts = ConntrackDescriptor.ports(backendPort, ConntrackDescriptor.destinationPort(replyPorts));
        flags |= ConntrackFlags.DNAT;
        return this;
    }

    /** Source NAT: replies go to the node address and port (from the SNAT pool). */
    public ConnectionSpec snat(long nodeHi, long nodeLo, int nodePort) {
        replyDstHi = nodeHi;
        replyDstLo = nodeLo;
        replyPorts = ConntrackDescriptor.ports(ConntrackDescriptor.sourcePort(replyPorts), nodePort);
        flags |= ConntrackFlags.SNAT;
        return this;
    }

    public ConnectionSpec state(ConntrackState state) {
        stateId = state.id();
        return this;
    }

    public ConnectionSpec decisions(int serviceId, int verdict, int outPort) {
        this.serviceId = serviceId;
        this.verdict = verdict;
        this.outPort = outPort;
        return this;
    }
}
