package io.isthmus.fastpath.packet;

/**
 * IPv4 addresses as an {@code int} in network bit order (10.0.0.1 is {@code 0x0A000001}), and their
 * dotted text form. Parsing is for tables and tests, not per packet.
 */
public final class Ipv4Address {
    private Ipv4Address() {
    }

    /** Parses a dotted quad; throws {@link IllegalArgumentException} naming the text on bad input. */
    public static int parse(String text) {
        final String[] parts = text.split("\\.", -1);
        if (parts.length != 4) {
            throw new IllegalArgumentException("not an IPv4 address (want a.b.c.d): '" + text + "'");
        }
        int address = 0;
        for (String part : parts) {
            final int octet;
            try {
                octet = Integer.parseInt(part);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("not an IPv4 address (bad octet '" + part + "'): '" + text + "'", e);
            }
            if (octet < 0 || octet > 255 || part.isEmpty() || part.length() > 3) {
                throw new IllegalArgumentException("not an IPv4 address (octet out of range '" + part + "'): '" + text + "'");
            }
            address = (address << 8) | octet;
        }
        return address;
    }

    public static String format(int address) {
        return (address >>> 24) + "." + ((address >>> 16) & 0xFF) + "." + ((address >>> 8) & 0xFF) + "." + (address & 0xFF);
    }
}
