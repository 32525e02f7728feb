package io.isthmus.slowpath.agent;

import io.isthmus.fastpath.control.aeron.EmbeddedMediaDriver;
import io.isthmus.fastpath.control.compile.NodeSettings;
import io.isthmus.fastpath.runtime.FastpathRuntimeConfig;
import io.isthmus.slowpath.agent.dns.ClusterDnsConfig;
import io.isthmus.slowpath.agent.host.HostPortConfig;
import io.isthmus.slowpath.cni.Ipv4Cidr;

import java.nio.file.Path;
import java.time.Duration;

/**
 * How an {@link IsthmusAgent} is laid out on the node.
 *
 * @param runtime        the fast path (port slots, UMEM, conntrack file, ...)
 * @param aeronDirectory the media driver's directory (under /dev/shm)
 * @param cniSocket      where the CNI shim finds the agent
 * @param ipamDirectory  where pod address allocations are kept
 * @param podCidr        the node's pod CIDR
 * @param metricsPort    loopback port of {@code /metrics}; -1 for none, 0 for any free port
 * @param portTimeout    how long a CNI ADD/DEL waits for the fast path
 * @param node           this node's name and addresses, for the table compiler (local endpoints, NodePorts)
 * @param clusterDns     the cluster DNS answered by the fast path and its upstreams; null: no DNS stage
 * @param hostPort       the node's port on the fast path (host veth, pod CIDR route); null: none
 *                       (the node cannot reach pods). Needs a node address in {@code node}.
 */
public record AgentConfig(FastpathRuntimeConfig runtime, Path aeronDirectory, Path cniSocket, Path ipamDirectory,
                          Ipv4Cidr podCidr, int metricsPort, Duration portTimeout, NodeSettings node,
                          ClusterDnsConfig clusterDns, HostPortConfig hostPort) {

    /** Without a host port. */
    public AgentConfig(FastpathRuntimeConfig runtime, Path aeronDirectory, Path cniSocket, Path ipamDirectory,
                       Ipv4Cidr podCidr, int metricsPort, Duration portTimeout, NodeSettings node,
                       ClusterDnsConfig clusterDns) {
        this(runtime, aeronDirectory, cniSocket, ipamDirectory, podCidr, metricsPort, portTimeout, node, clusterDns, null);
    }

    /** Without cluster DNS (the fast path passes DNS queries through like other traffic). */
    public AgentConfig(FastpathRuntimeConfig runtime, Path aeronDirectory, Path cniSocket, Path ipamDirectory,
                       Ipv4Cidr podCidr, int metricsPort, Duration portTimeout, NodeSettings node) {
        this(runtime, aeronDirectory, cniSocket, ipamDirectory, podCidr, metricsPort, portTimeout, node, null, null);
    }

    public static final Path DEFAULT_CNI_SOCKET = Path.of("/run/isthmus/cni.sock");
    public static final Path DEFAULT_IPAM_DIRECTORY = Path.of("/var/lib/isthmus/ipam");
    public static final Path DEFAULT_CONNTRACK = Path.of("/dev/shm/isthmus-conntrack");

    /** The same with {@code dns} as the cluster DNS (null: none). */
    public AgentConfig withClusterDns(ClusterDnsConfig dns) {
        return new AgentConfig(runtime, aeronDirectory, cniSocket, ipamDirectory, podCidr, metricsPort, portTimeout, node, dns, hostPort);
    }

    /** The same with {@code port} as the host port (null: none). */
    public AgentConfig withHostPort(HostPortConfig port) {
        return new AgentConfig(runtime, aeronDirectory, cniSocket, ipamDirectory, podCidr, metricsPort, portTimeout, node, clusterDns, port);
    }

    /** The defaults of {@code isthmus agent}: a unique Aeron directory, pods from {@code podCidr}, cluster DNS at 10.96.0.10. */
    public static AgentConfig defaults(Ipv4Cidr podCidr) {
        return new AgentConfig(FastpathRuntimeConfig.defaults(DEFAULT_CONNTRACK), EmbeddedMediaDriver.uniqueDirectory(),
                DEFAULT_CNI_SOCKET, DEFAULT_IPAM_DIRECTORY, podCidr, MetricsServer.DEFAULT_PORT, Duration.ofSeconds(10),
                NodeSettings.of(hostName()), ClusterDnsConfig.defaults());
    }

    /** This machine's host name (the default node name), or {@code localhost} when it has none. */
    public static String hostName() {
        try {
            final String name = java.nio.file.Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
            return name.isEmpty() ? "localhost" : name;
        } catch (java.io.IOException e) {
            return "localhost";
        }
    }
}
