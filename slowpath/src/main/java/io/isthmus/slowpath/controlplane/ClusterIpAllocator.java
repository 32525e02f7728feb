package io.isthmus.slowpath.controlplane;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.BitSet;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Hands out Service cluster IPs from one IPv4 CIDR (default {@code 10.96.0.0/12}), lowest free
 * first, never one that is held; the network and broadcast addresses are never given. An address
 * reserved with {@link #reserveFor} (the cluster DNS address, say) is never handed out and can be
 * requested only by the Services it is reserved for; any other Service asking for it is refused.
 *
 * <p><b>Thread-safety:</b> none; {@link ServiceAllocation} calls it under the API server's write lock.
 */
public final class ClusterIpAllocator {
    private final int network;
    private final int size;
    private final String cidr;
    /** Addresses given out, and reserved ones (set from {@link #reserveFor} on, whether claimed or not). */
    private final BitSet held = new BitSet();
    /** Reserved addresses by offset: what for, and which Services ({@code namespace/name}) may have them. */
    private final Map<Integer, Reservation> reserved = new HashMap<>();
    /** Reserved addresses that one of their Services holds now. */
    private final BitSet claimed = new BitSet();

    private record Reservation(String purpose, Set<String> services) {
    }

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

    /**
     * Keeps {@code address} from being handed out: only a Service of {@code services}
     * ({@code namespace/name}) may request it ({@link #reserve(String, String)}); {@code purpose}
     * names it in the refusal of any other. Throws when the address is not in the range or is held.
     */
    public ClusterIpAllocator reserveFor(String address, String purpose, Set<String> services) {
        final int offset = toInt(address) - network;
        if (offset <= 0 || offset >= size - 1) {
            throw new IllegalArgumentException("cannot reserve " + address + " for " + purpose + ": not in the service range " + cidr);
        }
        if (held.get(offset)) {
            throw new IllegalArgumentException("cannot reserve " + address + " for " + purpose + ": already allocated or reserved");
        }
        held.set(offset);
        reserved.put(offset, new Reservation(purpose, Set.copyOf(services)));
        return this;
    }

    /** Whether {@code address} is in this allocator's range (network and broadcast addresses excluded). */
    public boolean inRange(String address) {
        final int offset = toInt(address) - network;
        return offset > 0 && offset < size - 1;
    }

    /** As {@link #reserve(String, String)} for a requester that no reservation names. */
    public String reserve(String address) {
        return reserve(address, null);
    }

    /**
     * Holds a requested address for the Service {@code service} ({@code namespace/name}); returns why
     * not when it is outside the range, already held, or reserved for other Services, else null.
     */
    public String reserve(String address, String service) {
        final int offset;
        try {
            offset = toInt(address) - network;
        } catch (IllegalArgumentException e) {
            return "'" + address + "' is not an IPv4 address";
        }
        if (offset <= 0 || offset >= size - 1) {
            return "provided IP " + address + " is not in the valid range " + cidr;
        }
        final Reservation reservation = reserved.get(offset);
        if (reservation != null) {
            if (service == null || !reservation.services().contains(service)) {
                return "provided IP " + address + " is reserved for " + reservation.purpose() + " (only for Service "
                        + String.join(" or ", reservation.services().stream().sorted().toList()) + ")";
            }
            if (claimed.get(offset)) {
                return "provided IP " + address + " is already allocated";
            }
            claimed.set(offset);
            return null;
        }
        if (held.get(offset)) {
            return "provided IP " + address + " is already allocated";
        }
        held.set(offset);
        return null;
    }

    /** Gives {@code address} back; a reserved one stays reserved (free again for its Services only). */
    public void release(String address) {
        final int offset = toInt(address) - network;
        if (reserved.containsKey(offset)) {
            claimed.clear(offset);
        } else if (offset > 0 && offset < size - 1) {
            held.clear(offset);
        }
    }

    /** How many addresses Services hold now (reserved ones only while claimed). */
    public int heldCount() {
        return held.cardinality() - reserved.size() + claimed.cardinality();
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
