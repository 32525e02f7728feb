package io.isthmus.fastpath.packet;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Big-endian ("network order") reads and writes at any byte offset of a segment: the one place
 * the flyweights get their value layouts from. Unsigned values come back widened (a u16 as an
 * {@code int}, a u32 as an {@code int} that callers treat as unsigned, a MAC address as the low
 * 48 bits of a {@code long}).
 *
 * <p><b>Thread-safety:</b> stateless; plain (non-atomic) memory accesses.
 */
public final class NetworkOrder {
    public static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    public static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    public static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private NetworkOrder() {
    }

    public static int u8(MemorySegment segment, long offset) {
        return segment.get(ValueLayout.JAVA_BYTE, offset) & 0xFF;
    }

    public static void putU8(MemorySegment segment, long offset, int value) {
        segment.set(ValueLayout.JAVA_BYTE, offset, (byte) value);
    }

    public static int u16(MemorySegment segment, long offset) {
        return segment.get(U16, offset) & 0xFFFF;
    }

    public static void putU16(MemorySegment segment, long offset, int value) {
        segment.set(U16, offset, (short) value);
    }

    public static int u32(MemorySegment segment, long offset) {
        return segment.get(U32, offset);
    }

    public static void putU32(MemorySegment segment, long offset, int value) {
        segment.set(U32, offset, value);
    }

    /** A 48-bit MAC address in the low bits of the result. */
    public static long mac(MemorySegment segment, long offset) {
        return ((long) u16(segment, offset) << 32) | (u32(segment, offset + 2) & 0xFFFF_FFFFL);
    }

    public static void putMac(MemorySegment segment, long offset, long mac) {
        segment.set(U16, offset, (short) (mac >>> 32));
        segment.set(U32, offset + 2, (int) mac);
    }
}
