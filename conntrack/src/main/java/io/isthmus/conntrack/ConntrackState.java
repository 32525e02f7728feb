package io.isthmus.conntrack;

/**
 * Protocol states with stable ids (stored in the status word, index of the timeout table).
 * Default timeouts are Linux nf_conntrack's (net/netfilter/nf_conntrack_proto_{tcp,udp,icmp}.c).
 */
public enum ConntrackState {
    NONE(0, "NONE", 0),
    TCP_SYN_SENT(1, "SYN_SENT", 120),
    TCP_SYN_RECV(2, "SYN_RECV", 60),
    TCP_ESTABLISHED(3, "ESTABLISHED", 5 * 24 * 3600),
    TCP_FIN_WAIT(4, "FIN_WAIT", 120),
    TCP_CLOSE_WAIT(5, "CLOSE_WAIT", 60),
    TCP_LAST_ACK(6, "LAST_ACK", 30),
    TCP_TIME_WAIT(7, "TIME_WAIT", 120),
    TCP_CLOSE(8, "CLOSE", 10),
    /** UDP, nothing seen back yet (nf_conntrack_udp_timeout). */
    UDP_UNREPLIED(9, "UNREPLIED", 30),
    /** UDP, answered once: still the short timeout (Linux too, until it looks like a stream). */
    UDP_REPLIED(10, "REPLIED", 30),
    /** UDP stream (nf_conntrack_udp_timeout_stream: 120 s since Linux 5.0, 180 s before). */
    UDP_ASSURED(11, "ASSURED", 120),
    /** ICMP echo request seen (nf_conntrack_icmp_timeout). */
    ICMP_REQUEST(12, "REQUEST", 30),
    /** ICMP echo reply seen. */
    ICMP_REPLIED(13, "REPLIED", 30),
    /** Any other protocol (nf_conntrack_generic_timeout). */
    GENERIC(14, "GENERIC", 600);

    private static final ConntrackState[] BY_ID = new ConntrackState[ConntrackDescriptor.TIMEOUT_SLOTS];

    static {
        for (ConntrackState state : values()) {
            BY_ID[state.id] = state;
        }
    }

    private final int id;
    private final String label;
    private final int defaultTimeoutS;

    ConntrackState(int id, String label, int defaultTimeoutS) {
        this.id = id;
        this.label = label;
        this.defaultTimeoutS = defaultTimeoutS;
    }

    public int id() {
        return id;
    }

    /** The name {@code conntrack -L} would print. */
    public String label() {
        return label;
    }

    public int defaultTimeoutS() {
        return defaultTimeoutS;
    }

    /** The state with this id, or {@code null} for an unknown id (a newer writer). */
    public static ConntrackState byId(int id) {
        return id >= 0 && id < BY_ID.length ? BY_ID[id] : null;
    }
}
