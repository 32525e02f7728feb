package io.isthmus.fastpath.control.aeron;

import io.isthmus.fastpath.control.DesiredKind;
import org.agrona.MutableDirectBuffer;

/**
 * UPSERT and DELETE: one desired record.
 *
 * <pre>
 *   header (24 bytes, type UPSERT or DELETE)
 *   +-------------------------------+-------------------------------+
 *   |        kind (u16, ordinal)    |          reserved (u16)       |
 *   +-------------------------------+-------------------------------+
 *   |  key length (i32) | key, UTF-8 ...                            |
 *   +---------------------------------------------------------------+
 *   |  payload length (i32) | payload, JSON UTF-8 ... (DELETE: 0)   |
 *   +---------------------------------------------------------------+
 * </pre>
 */
public final class DesiredRecordFlyweight extends MessageHeaderFlyweight {
    public static final int KIND_OFFSET = HEADER_LENGTH;
    public static final int KEY_OFFSET = HEADER_LENGTH + 4;

    /** Writes a whole message; returns its length. */
    public int write(MutableDirectBuffer target, int at, short type, long correlationId, DesiredKind kind, String key, byte[] payload) {
        wrapForWrite(target, at, type);
        correlationId(correlationId);
        target.putShort(at + KIND_OFFSET, (short) kind.ordinal());
        target.putShort(at + KIND_OFFSET + 2, (short) 0);
        final int payloadAt = putString(KEY_OFFSET, key);
        target.putInt(at + payloadAt, payload.length);
        target.putBytes(at + payloadAt + 4, payload);
        final int length = payloadAt + 4 + payload.length;
        length(length);
        return length;
    }

    /** The kind as sent (the {@link DesiredKind} ordinal). */
    public int kindOrdinal() {
        return buffer.getShort(offset + KIND_OFFSET);
    }

    /** The record's kind, or null for an ordinal this version does not know. */
    public DesiredKind kind() {
        final int ordinal = kindOrdinal();
        final DesiredKind[] kinds = DesiredKind.values();
        return ordinal >= 0 && ordinal < kinds.length ? kinds[ordinal] : null;
    }

    public String key() {
        return stringAt(KEY_OFFSET);
    }

    private int payloadOffset() {
        return KEY_OFFSET + stringLengthAt(KEY_OFFSET);
    }

    public int payloadLength() {
        return buffer.getInt(offset + payloadOffset());
    }

    /** A copy of the payload bytes. */
    public byte[] payload() {
        final byte[] bytes = new byte[payloadLength()];
        buffer.getBytes(offset + payloadOffset() + 4, bytes);
        return bytes;
    }
}
