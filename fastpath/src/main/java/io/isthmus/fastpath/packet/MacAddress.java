package io.isthmus.fastpath.packet;

/**
 * MAC addresses as the low 48 bits of a {@code long} (the form the fast path keeps them in), and
 * their text form {@code 02:00:00:00:00:01}. Parsing is for tables and tests, not per packet.
 */
public final class MacAddress {
    public static final long BROADCAST = 0xFFFF_FFFF_FFFFL;
    /** The value tables use for "not known". All-zero is never a valid unicast source. */
    public static final long UNKNOWN = 0L;

    private MacAddress() {
    }

    /** Parses {@code aa:bb:cc:dd:ee:ff}; throws {@link IllegalArgumentException} naming the text on bad input. */
    public static long parse(String text) {
        final String[] parts = text.split(":", -1);
        if (parts.length != 6) {
            throw new IllegalArgumentException("not a MAC address (want aa:bb:cc:dd:ee:ff): '" + text + "'");
        }
        long mac = 0;
        for (String part : parts) {
            if (part.length() != 2) {
                throw new IllegalArgumentException("not a MAC address (want two hex digits per byte): '" + text + "'");
            }
            try {
                mac = (mac << 8) | Integer.parseInt(part, 16);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("not a MAC address (bad hex '" + part + "'): '" + text + "'", e);
            }
        }
        return mac;
    }

    public static String format(long mac) {
        final StringBuilder text = new StringBuilder(17);
        for (int shift = 40; shift >= 0; shift -= 8) {
            final int b = (int) (mac >>> shift) & 0xFF;
            text.append(Character.forDigit(b >>> 4, 16)).append(Character.forDigit(b & 0xF, 16));
            if (shift > 0) {
                text.append(':');
            }
        }
        return text.toString();
    }

    /** Bit 0 of the first octet: group (multicast or broadcast) address. */
    public static boolean isMulticast(long mac) {
        return ((mac >>> 40) & 1) != 0;
    }
}
