package io.isthmus.fastpath.pipeline;

import io.isthmus.lb.affinity.AffinityTable;

/**
 * Per-node settings the flow stages need besides the published tables.
 *
 * @param nodeIpv4           the node address Service traffic is source-NATed to (hairpin, and
 *                           when the Service verdict says SNAT); the conntrack table's SNAT pool
 *                           must have ports registered for it (TCP and UDP). Traffic from it into
 *                           a pod is always allowed by the policy stage.
 * @param podCidrIpv4        network of the cluster's pod CIDR: a source inside it is a pod
 *                           ({@code TrafficSource.CLUSTER_POD}), the node address is
 *                           {@code NODE}, anything else {@code EXTERNAL}
 * @param podCidrPrefixBits  its prefix length (0: every source counts as a pod)
 * @param affinity           the shared ClientIP session-affinity table, or null (then affinity
 *                           Services fall back to Maglev)
 * @param conntrackStripe    this worker's conntrack counter stripe (unique per worker thread)
 */
public record FlowSettings(int nodeIpv4, int podCidrIpv4, int podCidrPrefixBits, AffinityTable affinity,
                           int conntrackStripe) {

    /** 169.254.1.1, the pods' gateway: the default SNAT address (answered by the fast path's ARP). */
    public static final int DEFAULT_NODE_IPV4 = 0xA9FE_0101;

    public FlowSettings {
        if (podCidrPrefixBits < 0 || podCidrPrefixBits > 32) {
            throw new IllegalArgumentException("pod CIDR prefix length must be 0..32, was " + podCidrPrefixBits);
        }
    }

    /** The gateway as SNAT address, every source a pod, no affinity table, stripe 0. */
    public static FlowSettings defaults() {
        return new FlowSettings(DEFAULT_NODE_IPV4, 0, 0, null, 0);
    }

    public FlowSettings withConntrackStripe(int stripe) {
        return new FlowSettings(nodeIpv4, podCidrIpv4, podCidrPrefixBits, affinity, stripe);
    }

    /** Whether {@code ipv4} is inside the pod CIDR. */
    public boolean isPod(int ipv4) {
        final int mask = podCidrPrefixBits == 0 ? 0 : -1 << (32 - podCidrPrefixBits);
        return (ipv4 & mask) == (podCidrIpv4 & mask);
    }
}
