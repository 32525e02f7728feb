package io.isthmus.policy.model;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;

/**
 * An IPv4 or IPv6 address as two 64-bit halves, most significant bit first. An IPv4 address sits
 * in the top 32 bits of {@code high} ({@code low} is 0), so that prefixes of both families are
 * compared the same way.
 */
public record IpAddress(boolean ipv6, long high, long low) {

    /** Address width in bits: 32 or 128. */
    public int widthBits() {
        return ipv6 ? 128 : 32;
    }

    /** The IPv4 address as an int in network order (only for IPv4). */
    public int ipv4Bits() {
        return (int) (high >>> 32);
    }

    public static IpAddress ofIpv4(int bits) {
        return new IpAddress(false, (bits & 0xFFFF_FFFFL) << 32, 0);
    }

    /** Bit {@code index} (0 = most significant). */
    public int bit(int index) {
        return (int) ((index < 64 ? high >>> (63 - index) : low >>> (127 - index)) & 1);
    }

    /** Byte {@code index} (0 = most significant). */
    public int byteAt(int index) {
        return (int) ((index < 8 ? high >>> (56 - 8 * index) : low >>> (56 - 8 * (index - 8))) & 0xFF);
    }

    /** This address with every bit after the first {@code prefixLength} cleared. */
    public IpAddress masked(int prefixLength) {
        return new IpAddress(ipv6, high & mask(prefixLength), low & mask(prefixLength - 64));
    }

    private static long mask(int bits) {
        if (bits <= 0) {
            return 0;
        }
        return bits >= 64 ? -1L : -1L << (64 - bits);
    }

    /**
     * Parses a literal address ("10.1.2.3", "fd00::1"); null when {@code text} is not one. Strict
     * dotted-quad for IPv4 (no "010.1.1.1", no "10.1"); never does a name look-up.
     */
    public static IpAddress parse(String text) {
        if (text == null || text.isEmpty()) {
            return null;
        }
        if (text.indexOf(':') < 0) {
            return parseIpv4(text);
        }
        try {
            final InetAddress address = Inet6Address.ofLiteral(text);
            final byte[] bytes = address.getAddress();
            if (address instanceof Inet4Address) {
                return ofIpv4(((bytes[0] & 0xFF) << 24) | ((bytes[1] & 0xFF) << 16) | ((bytes[2] & 0xFF) << 8) | (bytes[3] & 0xFF));
            }
            long high = 0;
            long low = 0;
            for (int i = 0; i < 8; i++) {
                high = (high << 8) | (bytes[i] & 0xFF);
                low = (low << 8) | (bytes[i + 8] & 0xFF);
            }
            return new IpAddress(true, high, low);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static IpAddress parseIpv4(String text) {
        final String[] parts = text.split("\\.", -1);
        if (parts.length != 4) {
            return null;
        }
        int bits = 0;
        for (String part : parts) {
            if (part.isEmpty() || part.length() > 3 || (part.length() > 1 && part.charAt(0) == '0')) {
                return null;
            }
            int value = 0;
            for (int i = 0; i < part.length(); i++) {
                final char c = part.charAt(i);
                if (c < '0' || c > '9') {
                    return null;
                }
                value = value * 10 + (c - '0');
            }
            if (value > 255) {
                return null;
            }
            bits = (bits << 8) | value;
        }
        return ofIpv4(bits);
    }

    @Override
    public String toString() {
        if (!ipv6) {
            final int bits = ipv4Bits();
            return (bits >>> 24) + "." + ((bits >>> 16) & 0xFF) + "." + ((bits >>> 8) & 0xFF) + "." + (bits & 0xFF);
        }
        final byte[] bytes = new byte[16];
        for (int i = 0; i < 16; i++) {
            bytes[i] = (byte) byteAt(i);
        }
        try {
            return InetAddress.getByAddress(bytes).getHostAddress();
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e); // 16 bytes is always a valid length
        }
    }
}
