package io.isthmus.slowpath.cni;

import io.isthmus.fastpath.packet.Ipv4Address;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/** An IPv4 prefix such as the node's pod CIDR {@code 10.244.1.0/24}. */
public record Ipv4Cidr(int network, int prefixLength) {
    /** 0.0.0.0, the destination of a default route. */
    public static final Inet4Address ANY = toAddress(0);

    public Ipv4Cidr {
        if (prefixLength < 0 || prefixLength > 32) {
            throw new IllegalArgumentException("prefix length " + prefixLength + " is not in 0..32");
        }
        network &= mask(prefixLength);
    }

    public static Ipv4Cidr parse(String text) {
        final int slash = text.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("'" + text + "' is not a CIDR (address/prefix)");
        }
        final int prefix;
        try {
            prefix = Integer.parseInt(text.substring(slash + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' has no numeric prefix length");
        }
        return new Ipv4Cidr(Ipv4Address.parse(text.substring(0, slash)), prefix);
    }

    /** A dotted quad; {@link IllegalArgumentException} naming the text on bad input. */
    public static Inet4Address parseAddress(String text) {
        return toAddress(Ipv4Address.parse(text));
    }

    public static int toInt(Inet4Address address) {
        final byte[] b = address.getAddress();
        return (b[0] & 0xff) << 24 | (b[1] & 0xff) << 16 | (b[2] & 0xff) << 8 | b[3] & 0xff;
    }

    public static Inet4Address toAddress(int value) {
        try {
            return (Inet4Address) InetAddress.getByAddress(new byte[]{(byte) (value >>> 24), (byte) (value >>> 16), (byte) (value >>> 8), (byte) value});
        } catch (UnknownHostException e) {
            throw new AssertionError(e); // four bytes are always an address
        }
    }

    /** The netmask of this prefix, host order ({@code /24}: 0xFFFFFF00). */
    public int netmask() {
        return mask(prefixLength);
    }

    static int mask(int prefixLength) {
        return prefixLength == 0 ? 0 : -1 << (32 - prefixLength);
    }

    public boolean contains(Inet4Address address) {
        return (toInt(address) & mask(prefixLength)) == network;
    }

    /** The number of addresses in the prefix. */
    public long size() {
        return 1L << (32 - prefixLength);
    }

    @Override
    public String toString() {
        return Ipv4Address.format(network) + "/" + prefixLength;
    }
}
