package io.isthmus.lb.table;

/**
 * What the service table says about a new flow. Ids are stable (they are exported as metrics and
 * drop reasons).
 */
public enum ServiceVerdict {
    /** The destination is no Service frontend: let the packet go on unchanged. */
    NOT_A_SERVICE(0),
    /** DNAT to the backend in the decision. */
    FORWARD(1),
    /** The Service has no usable endpoint: answer TCP RST / ICMP port unreachable (kube-proxy's REJECT). */
    REJECT(2),
    /** Traffic policy Local and no local endpoint: drop silently (kube-proxy's "has no local endpoints" DROP). */
    DROP_NO_LOCAL_ENDPOINT(3),
    /** LoadBalancer-IP traffic from a source outside loadBalancerSourceRanges: drop. */
    DROP_SOURCE_NOT_ALLOWED(4);

    private final int id;

    ServiceVerdict(int id) {
        this.id = id;
    }

    public int id() {
        return id;
    }
}
