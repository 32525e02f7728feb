package io.isthmus.fastpath.control.compile;

import io.isthmus.dns.zone.ZoneSettings;

import java.util.List;

/**
 * What the compilers must know about the node the fast path runs on.
 *
 * @param nodeName       this node's name (an endpoint with this nodeName is local)
 * @param nodeAddresses  this node's addresses as text: NodePorts listen on them, and connections
 *                       from them into a local pod are always allowed by policy
 * @param zone           the cluster zone's settings (domain, TTL, first serial)
 */
public record NodeSettings(String nodeName, List<String> nodeAddresses, ZoneSettings zone) {

    public NodeSettings {
        if (nodeName == null || nodeName.isEmpty()) {
            throw new IllegalArgumentException("node settings need a node name");
        }
        nodeAddresses = List.copyOf(nodeAddresses == null ? List.of() : nodeAddresses);
        zone = zone == null ? ZoneSettings.defaults() : zone;
    }

    public static NodeSettings of(String nodeName, String... nodeAddresses) {
        return new NodeSettings(nodeName, List.of(nodeAddresses), ZoneSettings.defaults());
    }
}
