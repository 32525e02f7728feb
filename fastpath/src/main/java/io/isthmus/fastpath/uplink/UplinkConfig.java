package io.isthmus.fastpath.uplink;

import io.isthmus.fastpath.bpf.BpfProgram;
import io.isthmus.fastpath.bpf.KernelPortsMap;
import io.isthmus.fastpath.bpf.ServiceFrontendsMap;
import io.isthmus.fastpath.bpf.UplinkSteeringProgramBuilder;
import io.isthmus.fastpath.linux.LinuxException;
import io.isthmus.fastpath.packet.Ipv4Address;

import java.util.ArrayList;
import java.util.List;

/**
 * What the node's uplink steers to the fast path (everything else stays the host's).
 *
 * @param interfaceName  the uplink interface (the NIC outside traffic arrives on), e.g. {@code eth0}
 * @param nodeAddresses  the node's IPv4 addresses on it: their NodePorts go to the fast path
 * @param nodePortMin    first port of the NodePort range (30000 by default)
 * @param nodePortMax    last port of the NodePort range, inclusive (32767 by default)
 * @param serviceCidrs   externalIPs / LoadBalancer IPs as CIDRs: every TCP/UDP port of them goes to the fast path
 */
public record UplinkConfig(String interfaceName, List<Integer> nodeAddresses, int nodePortMin, int nodePortMax,
                           List<ServiceCidr> serviceCidrs) {

    /** An IPv4 network; a single address is a /32. */
    public record ServiceCidr(int networkIpv4, int prefixBits) {
        public ServiceCidr {
            if (prefixBits < 1 || prefixBits > 32) {
                throw new IllegalArgumentException("prefix length must be 1..32, was " + prefixBits);
            }
        }

        @Override
        public String toString() {
            return Ipv4Address.format(networkIpv4) + "/" + prefixBits;
        }
    }

    public UplinkConfig {
        if (interfaceName == null || interfaceName.isBlank()) {
            throw new IllegalArgumentException("the uplink needs an interface name");
        }
        nodeAddresses = List.copyOf(nodeAddresses);
        serviceCidrs = List.copyOf(serviceCidrs);
        if (nodeAddresses.isEmpty() && serviceCidrs.isEmpty()) {
            throw new IllegalArgumentException("uplink " + interfaceName + ": give a node address (NodePorts) or a service CIDR"
                    + " (externalIPs, LoadBalancer IPs)");
        }
        if (nodePortMin < 1 || nodePortMax > 65535 || nodePortMin > nodePortMax) {
            throw new IllegalArgumentException("uplink " + interfaceName + ": NodePort range must be within 1..65535 and"
                    + " min <= max, was " + nodePortMin + "-" + nodePortMax);
        }
    }

    /**
     * From text (the agent's flags): {@code nodeIps} dotted IPv4 (IPv6 ones are skipped: the program
     * steers IPv4), {@code nodePortRange} {@code MIN-MAX} or null for 30000-32767, {@code serviceCidrs}
     * {@code a.b.c.d/n} or {@code a.b.c.d}. Throws {@link IllegalArgumentException} naming the bad value.
     */
    public static UplinkConfig parse(String interfaceName, List<String> nodeIps, String nodePortRange, List<String> serviceCidrs) {
        final List<Integer> addresses = new ArrayList<>();
        for (String ip : nodeIps) {
            if (ip.indexOf(':') < 0) {
                addresses.add(address(ip, "node address"));
            }
        }
        int min = UplinkSteeringProgramBuilder.NODE_PORT_MIN_DEFAULT;
        int max = UplinkSteeringProgramBuilder.NODE_PORT_MAX_DEFAULT;
        if (nodePortRange != null) {
            final int dash = nodePortRange.indexOf('-');
            try {
                min = Integer.parseInt(nodePortRange.substring(0, Math.max(dash, 0)).strip());
                max = Integer.parseInt(nodePortRange.substring(dash + 1).strip());
            } catch (NumberFormatException | StringIndexOutOfBoundsException e) {
                throw new IllegalArgumentException("NodePort range '" + nodePortRange + "' is not MIN-MAX (e.g. 30000-32767)");
            }
        }
        final List<ServiceCidr> cidrs = new ArrayList<>();
        for (String text : serviceCidrs) {
            final int slash = text.indexOf('/');
            final int network = address(slash < 0 ? text : text.substring(0, slash), "service CIDR");
            final int prefix;
            try {
                prefix = slash < 0 ? 32 : Integer.parseInt(text.substring(slash + 1).strip());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("service CIDR '" + text + "': prefix length is not a number");
            }
            if (prefix < 1 || prefix > 32) {
                throw new IllegalArgumentException("service CIDR '" + text + "': prefix length must be 1..32");
            }
            cidrs.add(new ServiceCidr(network & (-1 << (32 - prefix)), prefix));
        }
        return new UplinkConfig(interfaceName, addresses, min, max, cidrs);
    }

    private static int address(String text, String what) {
        try {
            return Ipv4Address.parse(text.strip());
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(what + " '" + text + "' is not an IPv4 address");
        }
    }

    /**
     * Builds and loads the steering program over the XSKMAP {@code xskMapFd}, passing the ports
     * {@code kernelPorts} marks and redirecting the frontends {@code frontends} holds.
     */
    public BpfProgram loadProgram(int xskMapFd, KernelPortsMap kernelPorts, ServiceFrontendsMap frontends) {
        return loadProgram(xskMapFd, kernelPorts, frontends, false);
    }

    /**
     * As {@link #loadProgram(int, KernelPortsMap, ServiceFrontendsMap)}; for a multi-buffer socket
     * ({@code multiBuffer}) loaded with {@code BPF_F_XDP_HAS_FRAGS} like the pods' redirect program,
     * falling back to a plain program where the kernel does not know the flag (logged).
     */
    public BpfProgram loadProgram(int xskMapFd, KernelPortsMap kernelPorts, ServiceFrontendsMap frontends, boolean multiBuffer) {
        final UplinkSteeringProgramBuilder builder = new UplinkSteeringProgramBuilder(xskMapFd).nodePortRange(nodePortMin, nodePortMax)
                .kernelPorts(kernelPorts).serviceFrontends(frontends);
        nodeAddresses.forEach(builder::nodeAddress);
        serviceCidrs.forEach(c -> builder.serviceCidr(c.networkIpv4(), c.prefixBits()));
        if (multiBuffer) {
            try {
                return builder.loadAcceptingFragments("isx_uplink");
            } catch (LinuxException e) {
                System.getLogger(UplinkConfig.class.getName()).log(System.Logger.Level.WARNING, e.getMessage().lines().findFirst().orElse("")
                        + "; loading the uplink program without BPF_F_XDP_HAS_FRAGS");
            }
        }
        return builder.load("isx_uplink");
    }

    /** One line for logs. */
    public String describe() {
        return interfaceName + ": NodePorts " + nodePortMin + "-" + nodePortMax + " on "
                + nodeAddresses.stream().map(Ipv4Address::format).toList() + ", service CIDRs " + serviceCidrs;
    }
}
