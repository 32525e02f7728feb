package io.isthmus.fastpath.pipeline;

/**
 * Why the fast path dropped a packet. The numeric {@link #id()} is stable (exported as a metric
 * label and in events): never renumber, only append.
 */
public enum DropReason {
    /** Frame shorter than the headers it announces (Ethernet, ARP, IP or transport header). */
    FRAME_TOO_SHORT(1),
    /** EtherType the pipeline does not handle (not IPv4, ARP or IPv6). */
    UNSUPPORTED_ETHERTYPE(2),
    /** 802.1Q-tagged frame on a pod port (pods are untagged). */
    VLAN_TAGGED(3),
    /** IPv4 header whose version field is not 4. */
    IPV4_BAD_VERSION(4),
    /** IPv4 header length (IHL) below 5 words or beyond the frame. */
    IPV4_BAD_IHL(5),
    /** IPv4 options present (IHL above 5): not supported on the fast path. */
    IPV4_OPTIONS(6),
    /** IPv4 total length below the header length or beyond the frame. */
    IPV4_BAD_TOTAL_LENGTH(7),
    /** An IPv4 fragment (MF set or non-zero offset): not supported on the fast path. */
    IPV4_FRAGMENT(8),
    /** IPv4 header checksum does not verify. */
    IPV4_BAD_CHECKSUM(9),
    /** IPv6: parsed, not routed yet. */
    IPV6_NOT_ROUTED(10),
    /** ARP that is not IPv4-over-Ethernet. */
    ARP_MALFORMED(11),
    /** ARP that needs no answer from the switch (a reply, or a request for another address); consumed after learning. */
    ARP_CONSUMED(12),
    /** No route for the destination IPv4 address. */
    NO_ROUTE(13),
    /** TTL was 1 or 0: the packet may not be forwarded. */
    TTL_EXPIRED(14),
    /** The destination pod's MAC is not known yet; an ARP request was sent (or rate-limited). */
    NEIGHBOR_UNKNOWN(15),
    /** The egress port's transmit ring was full. */
    TX_RING_FULL(16),
    /** Transport header (TCP/UDP/ICMP) truncated. */
    L4_TOO_SHORT(17),
    /** IPv6 header with a bad version or a payload length beyond the frame. */
    IPV6_MALFORMED(18),
    /** A new connection that NetworkPolicy does not allow (source egress or destination ingress). */
    POLICY_DENIED(19),
    /** A Service with traffic policy Local and no local endpoint (kube-proxy's silent DROP). */
    SERVICE_NO_LOCAL_ENDPOINT(20),
    /** LoadBalancer-IP traffic from outside loadBalancerSourceRanges. */
    SERVICE_SOURCE_NOT_ALLOWED(21),
    /**
     * A Service without usable endpoints: the packet was turned into a TCP RST or an ICMP port
     * unreachable back to the client (counted here, its frame carries the answer).
     */
    SERVICE_REJECTED(22),
    /** A packet the connection's state does not allow (conntrack INVALID, as kube-proxy drops). */
    CONNTRACK_INVALID(23),
    /** No room for a new connection in the conntrack table (nothing unassured to evict). */
    CONNTRACK_FULL(24),
    /** The new connection's reply tuple is another connection's (NAT clash). */
    CONNTRACK_CLASH(25),
    /** Source NAT needed but no port of the node address is free. */
    SNAT_NO_PORT(26),
    /** UDP to the cluster DNS address that is not a DNS query (a response, shorter than a header, a bad UDP length). Ids 40+ are the DNS stage's. */
    DNS_NOT_A_QUERY(40),
    /** A frame for the slow path (e.g. a DNS query for a name outside the cluster) found the punt queue full. */
    PUNT_QUEUE_FULL(41);

    private static final DropReason[] BY_ID;

    static {
        int max = 0;
        for (DropReason reason : values()) {
            max = Math.max(max, reason.id);
        }
        BY_ID = new DropReason[max + 1];
        for (DropReason reason : values()) {
            BY_ID[reason.id] = reason;
        }
    }

    private final int id;

    DropReason(int id) {
        this.id = id;
    }

    /** The stable numeric id (metrics, events, CLI). */
    public int id() {
        return id;
    }

    /** The largest id in use; counters are sized {@code maxId() + 1}. */
    public static int maxId() {
        return BY_ID.length - 1;
    }

    /** The reason with this id, or null. */
    public static DropReason ofId(int id) {
        return id > 0 && id < BY_ID.length ? BY_ID[id] : null;
    }
}
