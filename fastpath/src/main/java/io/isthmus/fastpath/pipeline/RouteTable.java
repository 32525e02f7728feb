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
    private final int[] keys;
    private final int[] ports;
    private final int mask;
    /** Fibonacci hashing keeps the top bits of the product: as many as the table has slots. */
    private final int hashShift;

    private RouteTable(long generation, int gatewayIp, long[] localMac, int[] podIp) {
        this.generation = generation;
        this.gatewayIp = gatewayIp;
        this.localMac = localMac;
        this.podIp = podIp;
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

    /** Both passes at once (control side, tests). */
    public int lookup(int ip) {
        return ip == 0 ? NO_PORT : probe(slotOf(ip), ip);
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

        public RouteTable build() {
            return new RouteTable(generation, gatewayIp, localMac.clone(), podIp.clone());
        }
    }
}
