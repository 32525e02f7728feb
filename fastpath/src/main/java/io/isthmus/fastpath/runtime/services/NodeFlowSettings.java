package io.isthmus.fastpath.runtime.services;

import io.isthmus.fastpath.packet.Ipv4Address;
import io.isthmus.fastpath.pipeline.FlowSettings;

/**
 * The flow stages' per-node settings made from the agent's configuration (the flags of
 * {@code isthmus agent} / {@code isthmus up}, or the Node object): the node address that Service
 * traffic is source-NATed to (and that the conntrack SNAT pool serves) and the pod CIDR that
 * tells pod sources from node and external ones.
 */
public final class NodeFlowSettings {
    private NodeFlowSettings() {
    }

    /**
     * @param nodeIpv4 the node address in dotted form, or null/empty for the pods' gateway
     *                 ({@link FlowSettings#DEFAULT_NODE_IPV4})
     * @param podCidr  the node's (or cluster's) pod CIDR as {@code a.b.c.d/n}
     * @throws IllegalArgumentException naming the value that is not an IPv4 address or CIDR
     */
    public static FlowSettings of(String nodeIpv4, String podCidr) {
        final int node = nodeIpv4 == null || nodeIpv4.isBlank() ? FlowSettings.DEFAULT_NODE_IPV4 : parseAddress(nodeIpv4, "node address");
        final int slash = podCidr == null ? -1 : podCidr.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("pod CIDR must be a.b.c.d/n, got '" + podCidr + "'");
        }
        final int network = parseAddress(podCidr.substring(0, slash), "pod CIDR");
        final int prefixBits;
        try {
            prefixBits = Integer.parseInt(podCidr.substring(slash + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("pod CIDR '" + podCidr + "': prefix length is not a number");
        }
        if (prefixBits < 0 || prefixBits > 32) {
            throw new IllegalArgumentException("pod CIDR '" + podCidr + "': prefix length must be 0..32");
        }
        return new FlowSettings(node, network, prefixBits, null, 0);
    }

    /**
     * {@code base} (its affinity table and stripe kept) with the node address set to the first
     * IPv4 address of {@code nodeAddresses} (unchanged when there is none) and the pod CIDR
     * {@code podNetworkIpv4/podPrefixBits}.
     */
    public static FlowSettings forNode(FlowSettings base, java.util.List<String> nodeAddresses, int podNetworkIpv4, int podPrefixBits) {
        int node = base.nodeIpv4();
        for (String address : nodeAddresses) {
            if (address.indexOf(':') < 0) {
                node = parseAddress(address, "node address");
                break;
            }
        }
        return new FlowSettings(node, podNetworkIpv4, podPrefixBits, base.affinity(), base.conntrackStripe());
    }

    private static int parseAddress(String text, String what) {
        try {
            return Ipv4Address.parse(text.strip());
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(what + " '" + text + "' is not an IPv4 address");
        }
    }
}
