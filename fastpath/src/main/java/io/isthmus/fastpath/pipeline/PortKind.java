package io.isthmus.fastpath.pipeline;

/**
 * What sits behind a fast-path port. The id is what the control protocol carries (stable, append
 * only).
 *
 * <ul>
 *   <li>{@link #POD}: one pod's veth; its pod IP /32 is routed to it; the switch answers ARP for the
 *       gateway (169.254.1.1) only.</li>
 *   <li>{@link #HOST}: the node's own network namespace (the host veth, {@code isthmus0} by
 *       default, Cilium's {@code cilium_host}): destinations without a pod /32 are routed to it
 *       (the default route), and the switch answers the host's ARP for every pod address routed
 *       to a pod port (proxy ARP), so the host reaches pods with one on-link route for the pod CIDR.</li>
 * </ul>
 */
public enum PortKind {
    POD(0),
    HOST(1);

    private final int id;

    PortKind(int id) {
        this.id = id;
    }

    public int id() {
        return id;
    }

    /** The kind with {@code id}; unknown ids are refused with the id named. */
    public static PortKind ofId(int id) {
        for (PortKind kind : values()) {
            if (kind.id == id) {
                return kind;
            }
        }
        throw new IllegalArgumentException("unknown port kind id " + id);
    }
}
