package io.isthmus.lb.table;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Maglev entries packed in the narrowest of 2, 4, 8 or 16 bits that holds a block's largest
 * entry ({@link ServiceTableDescriptor}, "Maglev block"). An entry is a backend slot number minus
 * one. Narrow entries are what keeps a table of 10,000 small Services within the caches: with 3
 * backends (M = 307) a block is 77 bytes, 2 cache lines, instead of 614 bytes at 16 bits.
 *
 * <p>Reading is branch-free whatever the width: a little-endian 16-bit window at byte
 * {@code e * width / 8}, shifted right by {@code (e * width) mod 8}, masked to the width. Widths
 * divide 8 or equal 16, so an entry never crosses its window.
 *
 * <p>Thread-safety: stateless.
 */
final class PackedMaglev {

    /** The 16-bit window an entry is read from (little-endian whatever the platform, as it is written). */
    static final ValueLayout.OfShort WINDOW = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private PackedMaglev() {
    }

    /** log2 of the entry width, in bits, for entries 0..maxEntry: 1 (2 bits), 2 (4), 3 (8) or 4 (16). */
    static int widthLog2For(int maxEntry) {
        if (maxEntry < 4) {
            return 1;
        }
        if (maxEntry < 16) {
            return 2;
        }
        return maxEntry < 256 ? 3 : 4;
    }

    /** Bytes taken by {@code entries} entries of width {@code 1 << widthLog2} bits. */
    static int bytesFor(int entries, int widthLog2) {
        return (int) ((((long) entries << widthLog2) + 7) >>> 3);
    }

    /** Writes entry {@code index} of the entries starting at byte {@code at} of {@code into} (zeroed beforehand). */
    static void put(byte[] into, int at, int index, int widthLog2, int entry) {
        long bit = (long) index << widthLog2;
        int b = at + (int) (bit >>> 3);
        if (widthLog2 == 4) {
            into[b] = (byte) entry;
            into[b + 1] = (byte) (entry >>> 8);
        } else {
            into[b] |= (byte) (entry << (int) (bit & 7));
        }
    }

    /** Entry {@code index} of the entries starting at byte {@code at} of {@code region}. */
    static int get(MemorySegment region, long at, int index, int widthLog2) {
        long bit = (long) index << widthLog2;
        int window = region.get(WINDOW, at + (bit >>> 3)) & 0xffff;
        return (window >>> (int) (bit & 7)) & ((1 << (1 << widthLog2)) - 1);
    }

    /** Entry {@code index} of the entries starting at byte {@code at} of a packed array (the builder's reading). */
    static int get(byte[] packed, int at, int index, int widthLog2) {
        long bit = (long) index << widthLog2;
        int b = at + (int) (bit >>> 3);
        int window = (packed[b] & 0xff) | (b + 1 < packed.length ? (packed[b + 1] & 0xff) << 8 : 0);
        return (window >>> (int) (bit & 7)) & ((1 << (1 << widthLog2)) - 1);
    }
}
