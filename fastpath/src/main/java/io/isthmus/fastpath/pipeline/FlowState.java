package io.isthmus.fastpath.pipeline;

/**
 * What the conntrack stage found for a packet ({@code PacketBatch.flowState[i]}). Plain int
 * constants so the batch stays a structure of int arrays.
 */
public final class FlowState {
    private FlowState() {
    }

    /** Not tracked: not IPv4 TCP/UDP/ICMP echo (ARP, IPv6, ICMP errors, other protocols), or no conntrack. */
    public static final int UNTRACKED = 0;
    /** No connection yet: the Service, policy and commit stages decide it. */
    public static final int NEW = 1;
    /** A packet of a known connection, in its original direction. */
    public static final int ESTABLISHED = 2;
    /** A packet of a known connection, in its reply direction. */
    public static final int REPLY = 3;
    /** A packet the connection's state does not allow (dropped by the conntrack stage). */
    public static final int INVALID = 4;
    /**
     * An ICMP error (destination unreachable, time exceeded) about a known connection: translated
     * like the connection's packets in its direction (outer and quoted headers), never decided.
     */
    public static final int RELATED = 5;

    /** Lower-case name, for tests and logs. */
    public static String name(int state) {
        return switch (state) {
            case UNTRACKED -> "untracked";
            case NEW -> "new";
            case ESTABLISHED -> "established";
            case REPLY -> "reply";
            case INVALID -> "invalid";
            case RELATED -> "related";
            default -> "state-" + state;
        };
    }
}
