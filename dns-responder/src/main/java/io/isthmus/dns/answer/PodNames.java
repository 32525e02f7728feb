package io.isthmus.dns.answer;

import io.isthmus.dns.wire.DomainNames;
import io.isthmus.dns.wire.RecordType;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The deprecated pod records of the specification (section 2.6): {@code a-b-c-d.<ns>.pod.<zone>}
 * has the A record {@code a.b.c.d}, for any namespace and any IPv4 address, synthesized from the
 * name (nothing is stored). Parsing and writing are allocation-free, for the answer engine.
 *
 * <p>Thread-safety: stateless.
 */
final class PodNames {
    /** Not of the form {@code a-b-c-d.<ns>.pod.} or not an IPv4 address. */
    static final long NOT_A_POD_NAME = -1;

    private static final ValueLayout.OfByte BYTE = ValueLayout.JAVA_BYTE;
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    /** Owner pointer (2) + type, class, TTL, RDLENGTH (10) + IPv4 address (4). */
    static final int A_RECORD_BYTES = 16;

    private PodNames() {
    }

    /**
     * The IPv4 address (as an unsigned 32-bit value) of the name at {@code name} when its labels
     * up to {@code suffixStart} (where the zone begins) are exactly {@code a-b-c-d}, a namespace
     * and {@code pod}; else {@link #NOT_A_POD_NAME}.
     */
    static long address(MemorySegment message, long name, int suffixStart) {
        final int first = message.get(BYTE, name) & 0xFF;
        final int namespaceAt = 1 + first;
        if (first == 0 || namespaceAt >= suffixStart) {
            return NOT_A_POD_NAME;
        }
        final int namespaceLength = message.get(BYTE, name + namespaceAt) & 0xFF;
        final int podAt = namespaceAt + 1 + namespaceLength;
        if (namespaceLength == 0 || podAt + 4 != suffixStart || (message.get(BYTE, name + podAt) & 0xFF) != 3
                || DomainNames.foldByte(message.get(BYTE, name + podAt + 1) & 0xFF) != 'p'
                || DomainNames.foldByte(message.get(BYTE, name + podAt + 2) & 0xFF) != 'o'
                || DomainNames.foldByte(message.get(BYTE, name + podAt + 3) & 0xFF) != 'd') {
            return NOT_A_POD_NAME;
        }
        long address = 0;
        int octets = 0;
        int value = -1;
        for (int i = 1; i <= first; i++) {
            final int c = message.get(BYTE, name + i) & 0xFF;
            if (c >= '0' && c <= '9') {
                value = value < 0 ? c - '0' : value * 10 + (c - '0');
                if (value > 255) {
                    return NOT_A_POD_NAME;
                }
            } else if (c == '-' && value >= 0 && octets < 3) {
                address = (address << 8) | value;
                octets++;
                value = -1;
            } else {
                return NOT_A_POD_NAME;
            }
        }
        if (value < 0 || octets != 3) {
            return NOT_A_POD_NAME;
        }
        return (address << 8) | value;
    }

    /** Writes the A record at {@code at} (owner: the question name) and returns its length. */
    static int write(MemorySegment message, long at, int ttlSeconds, int address) {
        message.set(U16, at, (short) 0xC00C);
        message.set(U16, at + 2, (short) RecordType.A);
        message.set(U16, at + 4, (short) RecordType.CLASS_IN);
        message.set(U32, at + 6, ttlSeconds);
        message.set(U16, at + 10, (short) 4);
        message.set(U32, at + 12, address);
        return A_RECORD_BYTES;
    }
}
