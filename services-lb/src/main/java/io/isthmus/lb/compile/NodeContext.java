package io.isthmus.lb.compile;

import io.isthmus.lb.ip.IpAddress;
import java.util.List;

/**
 * What the compiler must know about the node it compiles for.
 *
 * @param nodeName       this node's name; an endpoint is local when its nodeName equals it
 * @param nodeAddresses  the addresses NodePorts listen on (kube-proxy's default: every node address)
 * @param proxyName      this proxy's name for label {@code service.kubernetes.io/service-proxy-name};
 *                       Services carrying that label with another value are left to that proxy
 */
public record NodeContext(String nodeName, List<IpAddress> nodeAddresses, String proxyName) {

    public static final String DEFAULT_PROXY_NAME = "isthmus";

    public NodeContext {
        if (nodeName == null || nodeName.isEmpty()) {
            throw new IllegalArgumentException("node context needs a node name");
        }
        nodeAddresses = List.copyOf(nodeAddresses == null ? List.of() : nodeAddresses);
        proxyName = proxyName == null ? DEFAULT_PROXY_NAME : proxyName;
    }

    public static NodeContext of(String nodeName, String... nodeAddresses) {
        return new NodeContext(nodeName, java.util.Arrays.stream(nodeAddresses).map(IpAddress::parse).toList(), DEFAULT_PROXY_NAME);
    }
}
