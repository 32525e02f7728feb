package io.isthmus.slowpath.agent.dns;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.file.Path;

/**
 * Where the agent's fast path answers cluster DNS and where it forwards the rest.
 *
 * @param serviceIp          the cluster DNS Service address pods are told to ask (kube-dns's ClusterIP)
 * @param servicePort        its UDP port (53)
 * @param upstreamResolvConf the resolv.conf whose nameservers get names outside the cluster
 */
public record ClusterDnsConfig(String serviceIp, int servicePort, Path upstreamResolvConf) {
    public static final String DEFAULT_SERVICE_IP = "10.96.0.10";
    public static final Path DEFAULT_UPSTREAM_RESOLV_CONF = Path.of("/etc/resolv.conf");

    public ClusterDnsConfig {
        if (!isIpv4Literal(serviceIp)) {
            throw new IllegalArgumentException("cluster DNS address '" + serviceIp + "' is not an IPv4 address");
        }
        if (servicePort <= 0 || servicePort > 65535) {
            throw new IllegalArgumentException("cluster DNS port " + servicePort + " outside 1..65535");
        }
    }

    private static boolean isIpv4Literal(String text) {
        try {
            return text != null && InetAddress.ofLiteral(text) instanceof Inet4Address;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** 10.96.0.10:53, forwarding to the host's /etc/resolv.conf nameservers. */
    public static ClusterDnsConfig defaults() {
        return new ClusterDnsConfig(DEFAULT_SERVICE_IP, 53, DEFAULT_UPSTREAM_RESOLV_CONF);
    }

    public ClusterDnsConfig withUpstreamResolvConf(Path resolvConf) {
        return new ClusterDnsConfig(serviceIp, servicePort, resolvConf);
    }
}
