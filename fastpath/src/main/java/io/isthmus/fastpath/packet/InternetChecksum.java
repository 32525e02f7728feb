package io.isthmus.fastpath.packet;

import java.lang.foreign.MemorySegment;

/**
 * The Internet checksum: the 16-bit one's complement of the one's complement sum (RFC 1071), its
 * incremental update when one field changes (RFC 1624, equation 3: {@code HC' = ~(~HC + ~m + m')}),
 * and the IPv4/IPv6 pseudo-headers that TCP, UDP and ICMPv6 checksums cover.
 *
 * <p>Sums are carried in a {@code long} and folded at the end: adding 32-bit big-endian words is the
 * same as adding their two 16-bit halves once the carries are folded back (RFC 1071, 2(B)).
 *
 * <p><b>Thread-safety:</b> stateless.
 */
public final class InternetChecksum {
    private InternetChecksum() {
    }

    /**
     * One's complement sum (not yet folded) of {@code lengthBytes} bytes at {@code offset}; an odd
     * last byte is padded with zero on the right.
     */
    public static long sum(MemorySegment segment, long offset, int lengthBytes) {
        long sum = 0;
        int i = 0;
        for (; i + 4 <= lengthBytes; i += 4) {
            sum += NetworkOrder.u32(segment, offset + i) & 0xFFFF_FFFFL;
        }
        if (i + 2 <= lengthBytes) {
            sum += NetworkOrder.u16(segment, offset + i);
            i += 2;
        }
        if (i < lengthBytes) {
            sum += NetworkOrder.u8(segment, offset + i) << 8;
        }
        return sum;
    }

    /** Folds a running sum to 16 bits, adding carries back in (end-around carry). */
    public static int fold(long sum) {
        sum = (sum & 0xFFFF_FFFFL) + (sum >>> 32);
        sum = (sum & 0xFFFF) + (sum >>> 16);
        sum = (sum & 0xFFFF) + (sum >>> 16);
        sum = (sum & 0xFFFF) + (sum >>> 16);
        return (int) sum;
    }

    /** The checksum field value for the bytes given (checksum field in them must be zero). */
    public static int compute(MemorySegment segment, long offset, int lengthBytes) {
        return ~fold(sum(segment, offset, lengthBytes)) & 0xFFFF;
    }

    /** The checksum field value over a pseudo-header sum plus the bytes given. */
    public static int compute(long pseudoHeaderSum, MemorySegment segment, long offset, int lengthBytes) {
        return ~fold(pseudoHeaderSum + sum(segment, offset, lengthBytes)) & 0xFFFF;
    }

    /** True when bytes (with their checksum field) plus the pseudo-header sum verify. */
    public static boolean verify(long pseudoHeaderSum, MemorySegment segment, long offset, int lengthBytes) {
        return fold(pseudoHeaderSum + sum(segment, offset, lengthBytes)) == 0xFFFF;
    }

    /** Sum of the IPv4 pseudo-header: source, destination, zero + protocol, transport length. */
    public static long pseudoHeaderSumIpv4(int src, int dst, int protocol, int l4LengthBytes) {
        return (src & 0xFFFF_FFFFL) + (dst & 0xFFFF_FFFFL) + protocol + l4LengthBytes;
    }

    /**
     * Sum of the IPv6 pseudo-header (RFC 8200, 8.1): the two 16-byte addresses at {@code srcOffset}
     * and {@code dstOffset}, the 32-bit upper-layer length and the next header.
     */
    public static long pseudoHeaderSumIpv6(MemorySegment segment, long srcOffset, long dstOffset,
                                           int nextHeader, int l4LengthBytes) {
        return sum(segment, srcOffset, 16) + sum(segment, dstOffset, 16) + (l4LengthBytes & 0xFFFF_FFFFL) + nextHeader;
    }

    /** RFC 1624 eqn. 3: the new checksum after a 16-bit word of the covered data went from {@code oldWord} to {@code newWord}. */
    public static int update16(int checksum, int oldWord, int newWord) {
        final int sum = (~checksum & 0xFFFF) + (~oldWord & 0xFFFF) + (newWord & 0xFFFF);
        return ~fold(sum) & 0xFFFF;
    }

    /** RFC 1624 for a 32-bit field (an IPv4 address): both halves in one step. */
    public static int update32(int checksum, int oldValue, int newValue) {
        final long sum = (~checksum & 0xFFFF)
                + (~oldValue >>> 16 & 0xFFFF) + (~oldValue & 0xFFFF)
                + (newValue >>> 16 & 0xFFFF) + (newValue & 0xFFFF);
        return ~fold(sum) & 0xFFFF;
    }
}
