package io.isthmus.fastpath.gso;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The RFC 1071 one's complement sum of a byte range, eight bytes per read: what full TCP/UDP
 * checksums of MTU frames cost per byte on the fast path (the header-sized sums of
 * {@link io.isthmus.fastpath.packet.InternetChecksum} read four bytes at a time).
 *
 * <p>The sum is byte-order independent (RFC 1071, 2(B)): eight bytes read in the machine's order
 * are added as two 32-bit halves into a {@code long} (2^31 additions before it could overflow), the
 * total is folded to 16 bits and, on a little-endian machine, its two bytes are swapped back to
 * network order. An odd last byte is the high byte of a zero-padded 16-bit word, as in the RFC.
 *
 * <p><b>Thread-safety:</b> stateless; no allocation.
 */
public final class OnesComplementSum {
    private static final ValueLayout.OfLong NATIVE_LONG = ValueLayout.JAVA_LONG_UNALIGNED;
    private static final ValueLayout.OfInt NATIVE_INT = ValueLayout.JAVA_INT_UNALIGNED;
    private static final ValueLayout.OfShort NATIVE_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED;
    private static final boolean LITTLE_ENDIAN = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;

    private OnesComplementSum() {
    }

    /**
     * The folded (16-bit, network order) one's complement sum of {@code lengthBytes} bytes at
     * {@code offset}; add it to other sums and fold again with
     * {@link io.isthmus.fastpath.packet.InternetChecksum#fold}.
     */
    public static int sum(MemorySegment segment, long offset, int lengthBytes) {
        long acc = 0;
        int i = 0;
        for (; i + 8 <= lengthBytes; i += 8) {
            final long v = segment.get(NATIVE_LONG, offset + i);
            acc += (v & 0xFFFF_FFFFL) + (v >>> 32);
        }
        if (i + 4 <= lengthBytes) {
            acc += segment.get(NATIVE_INT, offset + i) & 0xFFFF_FFFFL;
            i += 4;
        }
        if (i + 2 <= lengthBytes) {
            acc += segment.get(NATIVE_SHORT, offset + i) & 0xFFFF;
            i += 2;
        }
        if (i < lengthBytes) {
            final int last = segment.get(ValueLayout.JAVA_BYTE, offset + i) & 0xFF;
            acc += LITTLE_ENDIAN ? last : last << 8;
        }
        acc = (acc & 0xFFFF_FFFFL) + (acc >>> 32);
        acc = (acc & 0xFFFF_FFFFL) + (acc >>> 32);
        acc = (acc & 0xFFFF) + (acc >>> 16);
        acc = (acc & 0xFFFF) + (acc >>> 16);
        acc = (acc & 0xFFFF) + (acc >>> 16);
        final int folded = (int) acc;
        return LITTLE_ENDIAN ? Integer.reverseBytes(folded) >>> 16 : folded;
    }
}
