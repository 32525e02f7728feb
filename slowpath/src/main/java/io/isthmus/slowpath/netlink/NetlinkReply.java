package io.isthmus.slowpath.netlink;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One message of a netlink reply, copied out of the receive buffer: its type, its family header
 * and its top-level attributes by type (the last one wins when a type repeats).
 */
record NetlinkReply(short type, byte[] familyHeader, Map<Integer, byte[]> attributes) {
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED;
    private static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED;

    /** Parses the message at {@code offset} of {@code buffer}, whose family header is {@code familyBytes} long. */
    static NetlinkReply parse(MemorySegment buffer, long offset, int familyBytes) {
        final int length = buffer.get(INT, offset);
        final short type = buffer.get(SHORT, offset + 4);
        final long bodyAt = offset + NetlinkRequest.HEADER_BYTES;
        final int headerBytes = Math.min(familyBytes, Math.max(0, length - NetlinkRequest.HEADER_BYTES));
        final byte[] family = buffer.asSlice(bodyAt, headerBytes).toArray(ValueLayout.JAVA_BYTE);
        final Map<Integer, byte[]> attributes = new LinkedHashMap<>();
        long at = bodyAt + NetlinkRequest.align(familyBytes);
        final long end = offset + length;
        while (at + 4 <= end) {
            final int attributeLength = Short.toUnsignedInt(buffer.get(SHORT, at));
            final int attributeType = buffer.get(SHORT, at + 2) & Rtnl.NLA_TYPE_MASK;
            if (attributeLength < 4 || at + attributeLength > end) {
                break;
            }
            attributes.put(attributeType, buffer.asSlice(at + 4, attributeLength - 4).toArray(ValueLayout.JAVA_BYTE));
            at += NetlinkRequest.align(attributeLength);
        }
        return new NetlinkReply(type, family, attributes);
    }

    int familyInt(int offset) {
        return (familyHeader[offset] & 0xff) | (familyHeader[offset + 1] & 0xff) << 8
                | (familyHeader[offset + 2] & 0xff) << 16 | (familyHeader[offset + 3] & 0xff) << 24;
    }

    int familyByte(int offset) {
        return familyHeader[offset] & 0xff;
    }

    byte[] attribute(int attributeType) {
        return attributes.get(attributeType);
    }

    /** A NUL-terminated string attribute, or null. */
    String stringAttribute(int attributeType) {
        final byte[] value = attributes.get(attributeType);
        if (value == null) {
            return null;
        }
        int end = 0;
        while (end < value.length && value[end] != 0) {
            end++;
        }
        return new String(value, 0, end, java.nio.charset.StandardCharsets.US_ASCII);
    }

    int intAttribute(int attributeType, int otherwise) {
        final byte[] value = attributes.get(attributeType);
        if (value == null || value.length < 4) {
            return otherwise;
        }
        return (value[0] & 0xff) | (value[1] & 0xff) << 8 | (value[2] & 0xff) << 16 | (value[3] & 0xff) << 24;
    }
}
