package io.isthmus.dns.wire;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Text domain names to uncompressed wire format. Build-time helpers (they allocate), except
 * {@link #foldByte}, which the answer engine calls per byte.
 */
public final class DomainNames {
    private DomainNames() {
    }

    /**
     * {@code "Foo.Bar."} or {@code "foo.bar"} to wire format ({@code 3foo3bar0}), case kept.
     * Throws {@link IllegalArgumentException} naming the problem for an empty label, a label
     * longer than 63 bytes, a name longer than 255 bytes or a non-ASCII character.
     */
    public static byte[] toWire(String name) {
        final String trimmed = name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
        final ByteArrayOutputStream out = new ByteArrayOutputStream(trimmed.length() + 2);
        if (!trimmed.isEmpty()) {
            for (String label : trimmed.split("\\.", -1)) {
                final byte[] bytes = label.getBytes(StandardCharsets.US_ASCII);
                if (bytes.length == 0) {
                    throw new IllegalArgumentException("empty label in domain name '" + name + "'");
                }
                if (bytes.length > DnsHeaderDescriptor.MAX_LABEL_BYTES) {
                    throw new IllegalArgumentException("label '" + label + "' longer than 63 bytes in '" + name + "'");
                }
                for (int i = 0; i < label.length(); i++) {
                    if (label.charAt(i) > 0x7E || label.charAt(i) <= 0x20) {
                        throw new IllegalArgumentException("character not allowed in domain name '" + name + "'");
                    }
                }
                out.write(bytes.length);
                out.writeBytes(bytes);
            }
        }
        out.write(0);
        final byte[] wire = out.toByteArray();
        if (wire.length > DnsHeaderDescriptor.MAX_NAME_BYTES) {
            throw new IllegalArgumentException("domain name longer than 255 bytes: '" + name + "'");
        }
        return wire;
    }

    /** Lower-cased text form without the trailing dot ({@code "foo.bar"}; the root is {@code ""}). */
    public static String canonical(String name) {
        final String lower = name.toLowerCase(Locale.ROOT);
        return lower.endsWith(".") ? lower.substring(0, lower.length() - 1) : lower;
    }

    /** ASCII upper case to lower case; every other byte unchanged (RFC 4343). */
    public static int foldByte(int b) {
        return b >= 'A' && b <= 'Z' ? b + 32 : b;
    }

    /** Appends the text form of a label, escaping dots and backslashes ({@code \.}, {@code \\}) and non-printables ({@code \DDD}). */
    static void appendLabel(StringBuilder out, byte[] bytes, int from, int length) {
        for (int i = from; i < from + length; i++) {
            final int c = bytes[i] & 0xFF;
            if (c == '.' || c == '\\') {
                out.append('\\').append((char) c);
            } else if (c <= 0x20 || c > 0x7E) {
                out.append('\\').append(String.format("%03d", c));
            } else {
                out.append((char) c);
            }
        }
    }
}
