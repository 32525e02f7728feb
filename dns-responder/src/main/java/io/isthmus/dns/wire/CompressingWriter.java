package io.isthmus.dns.wire;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Builds a DNS message in a growable array, compressing names (RFC 1035 section 4.1.4): each
 * suffix of every name written through {@link #name} is remembered with its offset, and a later
 * name ending in a known suffix is written as labels plus a pointer. Suffixes are compared case
 * insensitively. Used at zone build time to precompute answers; it allocates freely.
 *
 * <p>Thread-safety: confined to one thread.
 */
public final class CompressingWriter {
    private static final int MAX_POINTER_OFFSET = 0x3FFF;

    private byte[] bytes = new byte[512];
    private int length;
    private final Map<String, Integer> suffixOffsets = new HashMap<>();

    public int length() {
        return length;
    }

    public byte[] toByteArray() {
        return Arrays.copyOf(bytes, length);
    }

    public CompressingWriter u8(int value) {
        ensure(1);
        bytes[length++] = (byte) value;
        return this;
    }

    public CompressingWriter u16(int value) {
        ensure(2);
        bytes[length++] = (byte) (value >>> 8);
        bytes[length++] = (byte) value;
        return this;
    }

    public CompressingWriter u32(long value) {
        u16((int) (value >>> 16));
        return u16((int) value);
    }

    public CompressingWriter bytes(byte[] value) {
        ensure(value.length);
        System.arraycopy(value, 0, bytes, length, value.length);
        length += value.length;
        return this;
    }

    /** Overwrites a 16-bit field written earlier (an RDLENGTH once the RDATA is known). */
    public void patchU16(int offset, int value) {
        bytes[offset] = (byte) (value >>> 8);
        bytes[offset + 1] = (byte) value;
    }

    /**
     * Writes a wire-format name. With {@code compress}, a known suffix becomes a pointer; without
     * (SRV targets, RFC 2782), every label is written. Either way its suffixes are remembered for
     * the names written after it.
     */
    public CompressingWriter name(byte[] wire, boolean compress) {
        int position = 0;
        while (true) {
            final int labelLength = wire[position] & 0xFF;
            if (labelLength == 0) {
                return u8(0);
            }
            final String suffix = foldedKey(wire, position);
            final Integer known = suffixOffsets.get(suffix);
            if (known != null && compress) {
                return u16(0xC000 | known);
            }
            if (known == null && length <= MAX_POINTER_OFFSET) {
                suffixOffsets.put(suffix, length);
            }
            ensure(labelLength + 1);
            System.arraycopy(wire, position, bytes, length, labelLength + 1);
            length += labelLength + 1;
            position += labelLength + 1;
        }
    }

    private static String foldedKey(byte[] wire, int from) {
        final StringBuilder key = new StringBuilder(wire.length - from);
        for (int i = from; i < wire.length; i++) {
            key.append((char) DomainNames.foldByte(wire[i] & 0xFF));
        }
        return key.toString();
    }

    private void ensure(int more) {
        if (length + more > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, length + more));
        }
    }
}
