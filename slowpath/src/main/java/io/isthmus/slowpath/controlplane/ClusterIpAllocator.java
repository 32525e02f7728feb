package io.isthmus.slowpath.controlplane;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.BitSet;

/**
 * Hands out Service cluster IPs from one IPv4 CIDR (default {@code 10.96.0.0/12}), lowest free
 * first, never one that is held; the network and broadcast addresses are never given.
 *
 * <p><b>Thread-safety:</b> none; {@link ServiceAllocation} calls it under the API server's write lock.
 */
public final class ClusterIpAllocator {
    private final int network;
    private final int size;
    private final String cidr;
    private final BitSet held = new BitSet();

    /** @param cidr an IPv4 CIDR such as {@code 10.96.0.0/12}, with a prefix of 8 to 30 */
    public ClusterIpAllocator(String cidr) {
        final int slash = cidr.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("service CIDR '" + cidr + "' has no /prefix");
        }
        final int prefix = Integer.parseInt(cidr.substring(slash + 1));
        if (prefix < 8 || prefix > 30) {
            throw new IllegalArgumentException("service CIDR '" + cidr + "': prefix must be 8..30");
        }
        final int address = toInt(cidr.substring(0, slash));
        final int mask = -1 << (32 - prefix);
        this.network = address & mask;
        this.size = 1 << (32 - prefix);
        this.cidr = cidr;
    }

    /** The lowest free address, now held; null when the range is full. */
    public String allocate() {
        final int offset = held.nextClearBit(1);
        if (offset >= size - 1) {
            return null;
        }
        held.set(offset);
        return toText(network + offset);
    }

    /** Holds a requested address; returns why not when it is outside the range or already held, else null. */
    public String reserve(String address) {
        final int offset;
        try {
            offset = toInt(address) - network;
        } catch (IllegalArgumentException e) {
            return "'" + address + "' is not an IPv4 address";
        }
        if (offset <= 0 || offset >= size - 1) {
            return "provided IP " + address + " is not in the valid range " + cidr;
        }
        if (held.get(offset)) {
            return "provided IP " + address + " is already allocated";
        }
        held.set(offset);
        return null;
    }

    public void release(String address) {
        final int offset = toInt(address) - network;
        if (offset > 0 && offset < size - 1) {
            held.clear(offset);
        }
    }

    public int heldCount() {
        return held.cardinality();
    }

    private static int toInt(String text) {
        final InetAddress address = InetAddress.ofLiteral(text);
        if (!(address instanceof Inet4Address)) {
            throw new IllegalArgumentException("'" + text + "' is not an IPv4 address");
        }
        final byte[] b = address.getAddress();
        return (b[0] & 0xff) << 24 | (b[1] & 0xff) << 16 | (b[2] & 0xff) << 8 | (b[3] & 0xff);
    }

    private static String toText(int address) {
        return (address >>> 24) + "." + (address >>> 16 & 0xff) + "." + (address >>> 8 & 0xff) + "." + (address & 0xff);
    }
}
