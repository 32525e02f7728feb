package io.isthmus.fastpath.pipeline;

import io.isthmus.fastpath.packet.Ipv4Address;
import io.isthmus.fastpath.packet.MacAddress;

import java.util.Arrays;

/**
 * One generation of the switch's L3 forwarding state, as compiled by the control side: which pod
 * IPv4 address sits behind which port, each port's local MAC (the gateway MAC the switch answers
 * ARP with and sends from on that port), each port's pod IP, and the pods' gateway address
 * (169.254.1.1 by default).
 *
 * <p>At most one port is the {@linkplain PortKind#HOST host port} (the node's own namespace): it is
 * the default route ({@link #defaultPort()}), where every IPv4 destination without a pod /32 goes,
 * and the port on which the switch answers ARP for pod addresses (proxy ARP).
 *
 * <p>The pod-IP → port map is an open-addressing table ({@code keys}/{@code ports}, load ≤ 0.5,
 * linear probing, key 0 = empty) so a stage can hash a whole batch in one pass
 * ({@link #slotOf}) and probe it in the next ({@link #probe}).
 *
 * <p><b>Thread-safety:</b> immutable after {@link Builder#build()}. The control side builds a new
 * table and publishes it through a {@link RouteTableRef} (release store); workers pick the new
 * generation up at the start of a batch (acquire load). Old generations are garbage-collected once
 * no worker holds them; nothing is reclaimed by hand.
 */
public final class RouteTable {
    public static final int NO_PORT = -1;
    public static final int GATEWAY_DEFAULT = Ipv4Address.parse("169.254.1.1");

    private final long generation;
    private final int gatewayIp;
    private final long[] localMac;
    private final int[] podIp;
    private final int defaultPort;
    private final int[] keys;
    private final int[] ports;
    private final int mask;
    /** Fibonacci hashing keeps the top bits of the product: as many as the table has slots. */
    private final int hashShift;

    private RouteTable(long generation, int gatewayIp, long[] localMac, int[] podIp, int defaultPort) {
        this.generation = generation;
        this.gatewayIp = gatewayIp;
        this.localMac = localMac;
        this.podIp = podIp;
        this.defaultPort = defaultPort;
        int pods = 0;
        for (int ip : podIp) {
            pods += ip != 0 ? 1 : 0;
        }
        final int capacity = Math.max(16, Integer.highestOneBit(Math.max(1, pods) * 4 - 1) << 1);
        this.keys = new int[capacity];
        this.ports = new int[capacity];
        this.mask = capacity - 1;
        this.hashShift = 32 - Integer.numberOfTrailingZeros(capacity);
        Arrays.fill(ports, NO_PORT);
        for (int port = 0; port < podIp.length; port++) {
            if (podIp[port] != 0) {
                int slot = slotOf(podIp[port]);
                while (keys[slot] != 0) {
                    slot = (slot + 1) & mask;
                }
                keys[slot] = podIp[port];
                ports[slot] = port;
            }
        }
    }

    /** A table with no ports and no routes (what a worker runs with before the first publication). */
    public static RouteTable empty() {
        return new Builder(0).build();
    }

    public static Builder builder(long generation) {
        return new Builder(generation);
    }

    public long generation() {
        return generation;
    }

    public int gatewayIp() {
        return gatewayIp;
    }

    /** Port ids in this table are 0 .. portCount()-1. */
    public int portCount() {
        return localMac.length;
    }

    /** The switch's MAC on {@code port}, or {@link MacAddress#UNKNOWN} for a port not in the table. */
    public long localMac(int port) {
        return port >= 0 && port < localMac.length ? localMac[port] : MacAddress.UNKNOWN;
    }

    /** The pod IPv4 address behind {@code port}, or 0 when the port has no pod. */
    public int podIp(int port) {
        return port >= 0 && port < podIp.length ? podIp[port] : 0;
    }

    /** The kind of {@code port}; {@link PortKind#POD} for a port not in the table. */
    public PortKind kind(int port) {
        return isHostPort(port) ? PortKind.HOST : PortKind.POD;
    }

    /** Whether {@code port} is the host port (the default route, proxy ARP). */
    public boolean isHostPort(int port) {
        return port >= 0 && port == defaultPort;
    }

    /**
     * The port that destinations without a pod /32 are routed to: the host port, or
     * {@link #NO_PORT} when there is none (then such destinations have no route).
     */
    public int defaultPort() {
        return defaultPort;
    }

    /** First pass: the home slot of {@code ip}. */
    public int slotOf(int ip) {
        return (ip * 0x9E3779B9 >>> hashShift) & mask;
    }

    /** Second pass: the egress port of {@code ip} probing from {@code slot}, or {@link #NO_PORT}. */
    public int probe(int slot, int ip) {
        for (int s = slot, n = 0; n <= mask; s = (s + 1) & mask, n++) {
            final int key = keys[s];
            if (key == ip) {
                return ports[s];
            }
            if (key == 0) {
                return NO_PORT;
            }
        }
        return NO_PORT;
    }

    /** Both passes at once (control side, tests): the pod /32 of {@code ip}, or {@link #NO_PORT}. */
    public int lookup(int ip) {
        return ip == 0 ? NO_PORT : probe(slotOf(ip), ip);
    }

    /** {@link #lookup}, falling back to the default route: where {@code ip} is sent (control side, tests). */
    public int route(int ip) {
        final int port = lookup(ip);
        return port == NO_PORT ? defaultPort : port;
    }

    @Override
    public String toString() {
        return RouteTableText.format(this);
    }

    /**
     * Builds a table; rejects (with {@link IllegalArgumentException} naming the port and address)
     * duplicate ports, a pod IP on two ports, and the all-zero address.
     *
     * <p><b>Thread-safety:</b> none; one control thread builds.
     */
    public static final class Builder {
        private final long generation;
        private int gatewayIp = GATEWAY_DEFAULT;
        private long[] localMac = new long[0];
        private int[] podIp = new int[0];
        private int hostPort = NO_PORT;

        private Builder(long generation) {
            this.generation = generation;
        }

        public Builder gateway(int ip) {
            this.gatewayIp = ip;
            return this;
        }

        /** Declares port {@code id} with the switch's MAC on it and its pod's IP (0: no pod). */
        public Builder port(int id, long localMacAddress, int podIpAddress) {
            if (id < 0 || id > 65535) {
                throw new IllegalArgumentException("port id out of range 0..65535: " + id);
            }
            if (localMacAddress == MacAddress.UNKNOWN || MacAddress.isMulticast(localMacAddress)) {
                throw new IllegalArgumentException("port " + id + ": local MAC must be unicast and non-zero, was "
                        + MacAddress.format(localMacAddress));
            }
            if (id >= localMac.length) {
                localMac = Arrays.copyOf(localMac, id + 1);
                podIp = Arrays.copyOf(podIp, id + 1);
            } else if (localMac[id] != MacAddress.UNKNOWN) {
                throw new IllegalArgumentException("port " + id + " declared twice");
            }
            if (podIpAddress != 0) {
                for (int other = 0; other < podIp.length; other++) {
                    if (podIp[other] == podIpAddress) {
                        throw new IllegalArgumentException("pod IP " + Ipv4Address.format(podIpAddress)
                                + " is on port " + other + " and port " + id);
                    }
                }
            }
            localMac[id] = localMacAddress;
            podIp[id] = podIpAddress;
            return this;
        }

        /**
         * Declares port {@code id} as the host port (the node's namespace; no pod behind it): the
         * default route and the port where pod addresses are proxy-ARPed. One per table.
         */
        public Builder hostPort(int id, long localMacAddress) {
            if (hostPort != NO_PORT) {
                throw new IllegalArgumentException("port " + id + ": the table already has a host port (port " + hostPort + ")");
            }
            port(id, localMacAddress, 0);
            hostPort = id;
            return this;
        }

        public RouteTable build() {
            return new RouteTable(generation, gatewayIp, localMac.clone(), podIp.clone(), hostPort);
        }
    }
}
