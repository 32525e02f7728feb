package io.isthmus.dns.zone;

import java.net.InetAddress;

/** The PTR owner name of an address: {@code d.c.b.a.in-addr.arpa} or 32 reversed nibbles {@code .ip6.arpa}. */
public final class ReverseNames {
    public static final String IPV4_APEX = "in-addr.arpa";
    public static final String IPV6_APEX = "ip6.arpa";

    private ReverseNames() {
    }

    public static String of(InetAddress address) {
        final byte[] bytes = address.getAddress();
        final StringBuilder name = new StringBuilder(bytes.length == 4 ? 29 : 73);
        for (int i = bytes.length - 1; i >= 0; i--) {
            final int b = bytes[i] & 0xFF;
            if (bytes.length == 4) {
                name.append(b).append('.');
            } else {
                name.append(Character.forDigit(b & 0xF, 16)).append('.').append(Character.forDigit(b >>> 4, 16)).append('.');
            }
        }
        return name.append(bytes.length == 4 ? IPV4_APEX : IPV6_APEX).toString();
    }

    /** The apex of the reverse tree an address belongs to. */
    public static String apexOf(InetAddress address) {
        return address.getAddress().length == 4 ? IPV4_APEX : IPV6_APEX;
    }
}
