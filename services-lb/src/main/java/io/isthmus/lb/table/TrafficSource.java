package io.isthmus.lb.table;

/**
 * Where a new flow comes from, as the fast path classifies its source address. Kube-proxy makes
 * the same three-way split (pod CIDR, local address type, anything else) to apply traffic
 * policies and masquerading.
 */
public enum TrafficSource {
    /** A pod of the cluster (source inside the cluster pod CIDR). */
    CLUSTER_POD,
    /** This node itself (source is one of the node's addresses, e.g. a host-network process). */
    NODE,
    /** Anything else: another machine outside the cluster's pod network. */
    EXTERNAL
}
