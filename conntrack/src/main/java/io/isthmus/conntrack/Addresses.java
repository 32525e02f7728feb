package io.isthmus.conntrack;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Addresses as the table keeps them: two longs (high and low 64 bits of an IPv6 address);
 * IPv4 is IPv4-mapped ({@code ::ffff:a.b.c.d}): high = 0, low = 0x0000ffff_xxxxxxxx.
 * Thread-safety: stateless.
 */
public final class Addresses {

    private Addresses() {
    }

    public static final long IPV4_MAPPED_HI = 0L;
    public static final long IPV4_MAPPED_LO_PREFIX = 0x0000_FFFF_0000_0000L;

    /** Low long of an IPv4 address given as a host-order int (a.b.c.d = 0xaabbccdd). */
    public static long ipv4Lo(int ipv4) {
        return IPV4_MAPPED_LO_PREFIX | (ipv4 & 0xFFFF_FFFFL);
    }

    public static boolean isIpv4Mapped(long hi, long lo) {
        return hi == 0 && (lo & 0xFFFF_FFFF_0000_0000L) == IPV4_MAPPED_LO_PREFIX;
    }

    public static int ipv4(long lo) {
        return (int) lo;
    }

    public static int parseIpv4(String text) {
        final String[] parts = text.split("\\.", -1);
        if (parts.length != 4) {
            throw new IllegalArgumentException("not an IPv4 address: '" + text + "'");
        }
        int value = 0;
        for (String part : parts) {
            final int octet;
            try {
                octet = Integer.parseInt(part);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("not an IPv4 address: '" + text + "'");
            }
            if (octet < 0 || octet > 255 || part.isEmpty() || part.length() > 3) {
                throw new IllegalArgumentException("not an IPv4 address: '" + text + "'");
            }
            value = value << 8 | octet;
        }
        return value;
    }

    /** Parses an IPv4 or IPv6 literal (no name lookups) into {hi, lo}. */
    public static long[] parse(String text) {
        if (text.indexOf(':') < 0) {
            return new long[] {IPV4_MAPPED_HI, ipv4Lo(parseIpv4(text))};
        }
        if (!text.matches("[0-9a-fA-F:.]+")) {
            throw new IllegalArgumentException("not an IP address: '" + text + "'");
        }
        final byte[] bytes;
        try {
            bytes = InetAddress.getByName(text).getAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an IP address: '" + text + "'");
        }
        if (bytes.length == 4) {
            return new long[] {IPV4_MAPPED_HI, ipv4Lo(java.nio.ByteBuffer.wrap(bytes).getInt())};
        }
        final java.nio.ByteBuffer buffer = java.nio.ByteBuffer.wrap(bytes);
        return new long[] {buffer.getLong(), buffer.getLong()};
    }

    /** Text form: dotted quad for IPv4-mapped, RFC 5952 style (via the JDK) otherwise. */
    public static String format(long hi, long lo) {
        if (isIpv4Mapped(hi, lo)) {
            final int v = ipv4(lo);
            return (v >>> 24) + "." + ((v >>> 16) & 0xFF) + "." + ((v >>> 8) & 0xFF) + "." + (v & 0xFF);
        }
        final byte[] bytes = java.nio.ByteBuffer.allocate(16).putLong(hi).putLong(lo).array();
        try {
            return compress(InetAddress.getByAddress(bytes).getHostAddress());
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String compress(String full) {
        // The JDK prints every group ("0:0:0:0:0:0:0:1"); collapse the longest zero run.
        final String[] groups = full.split(":");
        int bestStart = -1;
        int bestLength = 0;
        for (int i = 0; i < groups.length; ) {
            if (groups[i].equals("0")) {
                int j = i;
                while (j < groups.length && groups[j].equals("0")) {
                    j++;
                }
                if (j - i > bestLength && j - i > 1) {
                    bestStart = i;
                    bestLength = j - i;
                }
                i = j;
            } else {
                i++;
            }
        }
        if (bestStart < 0) {
            return full;
        }
        final String head = String.join(":", java.util.Arrays.copyOfRange(groups, 0, bestStart));
        final String tail = String.join(":", java.util.Arrays.copyOfRange(groups, bestStart + bestLength, groups.length));
        return head + "::" + tail;
    }
}
