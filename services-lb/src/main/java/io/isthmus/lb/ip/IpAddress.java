package io.isthmus.lb.ip;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;

/**
 * An IPv4 or IPv6 address as two 64-bit words, the form every services-lb table is keyed by.
 *
 * <p>IPv6 addresses are the 128 bits in network order: {@code hi} holds bytes 0..7, {@code lo}
 * bytes 8..15. IPv4 addresses are stored IPv4-mapped ({@code ::ffff:a.b.c.d}): {@code hi = 0},
 * {@code lo = 0x0000_ffff_0000_0000 | ipv4}. The fast path builds the same two words from a
 * packet header with {@link #ipv4Lo(int)} (for IPv4) or two big-endian long loads (for IPv6), so
 * lookups never allocate one of these records.
 *
 * <p>Thread-safety: immutable.
 */
public record IpAddress(long hi, long lo) implements Comparable<IpAddress> {

    /** The {@code lo} word of an IPv4-mapped address without its low 32 bits. */
    public static final long IPV4_MAPPED_PREFIX_LO = 0x0000_ffff_0000_0000L;

    /** The {@code lo} word for IPv4 address {@code ipv4} (host-order int, a.b.c.d = 0xaabbccdd). */
    public static long ipv4Lo(int ipv4) {
        return IPV4_MAPPED_PREFIX_LO | (ipv4 & 0xffff_ffffL);
    }

    public static IpAddress ofIpv4(int ipv4) {
        return new IpAddress(0, ipv4Lo(ipv4));
    }

    /**
     * Parses a literal IPv4 or IPv6 address (no host names, no zone ids).
     *
     * @throws IllegalArgumentException naming the text when it is not an address literal
     */
    public static IpAddress parse(String text) {
        if (text == null || text.isEmpty()) {
            throw new IllegalArgumentException("not an IP address: empty");
        }
        InetAddress address;
        try {
            address = InetAddress.ofLiteral(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not an IP address literal: '" + text + "'", e);
        }
        return of(address);
    }

    public static IpAddress of(InetAddress address) {
        byte[] bytes = address.getAddress();
        if (address instanceof Inet4Address) {
            return ofIpv4(readInt(bytes, 0));
        }
        if (address instanceof Inet6Address) {
            return new IpAddress(readLong(bytes, 0), readLong(bytes, 8));
        }
        throw new IllegalArgumentException("unsupported address family: " + address);
    }

    /** True for an IPv4-mapped address, that is an IPv4 address. */
    public boolean isIpv4() {
        return hi == 0 && (lo & 0xffff_ffff_0000_0000L) == IPV4_MAPPED_PREFIX_LO;
    }

    /** The IPv4 address as an int; only meaningful when {@link #isIpv4()}. */
    public int ipv4() {
        return (int) lo;
    }

    public InetAddress toInetAddress() {
        try {
            if (isIpv4()) {
                int v = ipv4();
                return InetAddress.getByAddress(new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v});
            }
            byte[] bytes = new byte[16];
            for (int i = 0; i < 8; i++) {
                bytes[i] = (byte) (hi >>> (56 - 8 * i));
                bytes[8 + i] = (byte) (lo >>> (56 - 8 * i));
            }
            return InetAddress.getByAddress(bytes);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException("cannot happen: address of legal length", e);
        }
    }

    @Override
    public int compareTo(IpAddress other) {
        int c = Long.compareUnsigned(hi, other.hi);
        return c != 0 ? c : Long.compareUnsigned(lo, other.lo);
    }

    @Override
    public String toString() {
        return toInetAddress().getHostAddress();
    }

    private static int readInt(byte[] b, int off) {
        return (b[off] & 0xff) << 24 | (b[off + 1] & 0xff) << 16 | (b[off + 2] & 0xff) << 8 | (b[off + 3] & 0xff);
    }

    private static long readLong(byte[] b, int off) {
        return (readInt(b, off) & 0xffff_ffffL) << 32 | (readInt(b, off + 4) & 0xffff_ffffL);
    }
}
