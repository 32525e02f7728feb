package io.isthmus.dns.wire;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Reads possibly compressed names (RFC 1035 section 4.1.4) from a message held in a
 * {@link MemorySegment}. Every method is bounded: a pointer must point strictly before the
 * pointer itself (so a chain always moves backwards and cannot loop), at most
 * {@link #MAX_POINTER_HOPS} pointers are followed, every byte read lies inside
 * {@code [messageStart, messageStart + messageLength)}, the expanded name is at most 255 bytes,
 * labels types 01 and 10 (RFC 6891 extended labels) are refused. Errors are negative return
 * values, never exceptions, so the fast path may call these.
 *
 * <p>Thread-safety: stateless.
 */
public final class NameReader {
    /** The name runs past the end of the message. */
    public static final int ERR_OUT_OF_BOUNDS = -1;
    /** A pointer points forward or at itself, or too many pointers were followed. */
    public static final int ERR_POINTER_LOOP = -2;
    /** The expanded name is longer than 255 bytes. */
    public static final int ERR_NAME_TOO_LONG = -3;
    /** A label type other than a plain label or a pointer. */
    public static final int ERR_BAD_LABEL_TYPE = -4;

    /** More hops than any valid name needs (a 255-byte name has at most 127 labels). */
    public static final int MAX_POINTER_HOPS = 127;

    private static final ValueLayout.OfByte BYTE = ValueLayout.JAVA_BYTE;

    private NameReader() {
    }

    /**
     * Skips the name starting at absolute offset {@code offset}, validating it entirely (pointers
     * followed). Returns the absolute offset just after the name's bytes at {@code offset} (after
     * the first pointer, or after the terminating zero), or a negative {@code ERR_} code.
     */
    public static long skip(MemorySegment message, long messageStart, int messageLength, long offset) {
        final long end = messageStart + messageLength;
        long cursor = offset;
        long after = -1;
        int nameBytes = 1;
        int hops = 0;
        while (true) {
            if (cursor >= end) {
                return ERR_OUT_OF_BOUNDS;
            }
            final int length = message.get(BYTE, cursor) & 0xFF;
            if (length == 0) {
                return after >= 0 ? after : cursor + 1;
            }
            final int kind = length & 0xC0;
            if (kind == 0xC0) {
                if (cursor + 1 >= end) {
                    return ERR_OUT_OF_BOUNDS;
                }
                final long target = messageStart + (((length & 0x3F) << 8) | (message.get(BYTE, cursor + 1) & 0xFF));
                if (target >= cursor || ++hops > MAX_POINTER_HOPS) {
                    return ERR_POINTER_LOOP;
                }
                if (after < 0) {
                    after = cursor + 2;
                }
                cursor = target;
                continue;
            }
            if (kind != 0) {
                return ERR_BAD_LABEL_TYPE;
            }
            nameBytes += length + 1;
            if (nameBytes > DnsHeaderDescriptor.MAX_NAME_BYTES) {
                return ERR_NAME_TOO_LONG;
            }
            cursor += length + 1;
        }
    }

    /**
     * Reads the name at {@code offset} into {@code out} as dotted text (no trailing dot, the root
     * is empty), with the same validation as {@link #skip}. Allocates; for decoders, not the fast path.
     */
    public static long read(MemorySegment message, long messageStart, int messageLength, long offset, StringBuilder out) {
        final long after = skip(message, messageStart, messageLength, offset);
        if (after < 0) {
            return after;
        }
        long cursor = offset;
        boolean first = true;
        while (true) {
            final int length = message.get(BYTE, cursor) & 0xFF;
            if (length == 0) {
                return after;
            }
            if ((length & 0xC0) == 0xC0) {
                cursor = messageStart + (((length & 0x3F) << 8) | (message.get(BYTE, cursor + 1) & 0xFF));
                continue;
            }
            if (!first) {
                out.append('.');
            }
            first = false;
            final byte[] label = new byte[length];
            MemorySegment.copy(message, BYTE, cursor + 1, label, 0, length);
            DomainNames.appendLabel(out, label, 0, length);
            cursor += length + 1;
        }
    }
}
