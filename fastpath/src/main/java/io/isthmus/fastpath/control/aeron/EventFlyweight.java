package io.isthmus.fastpath.control.aeron;

import org.agrona.MutableDirectBuffer;

/**
 * EVENT: something the fast path reports (a drop, a policy verdict), aggregated: {@code count}
 * occurrences of ({@code eventType}, {@code code}) on {@code portId} since the last event.
 *
 * <pre>
 *   header (24 bytes, type EVENT)
 *   +-------------------------------+-------------------------------+
 *   |      event type (u16)         |         reserved (u16)        |
 *   +-------------------------------+-------------------------------+
 *   |                        port id (i32)                          |
 *   +---------------------------------------------------------------+
 *   |            code (i32): drop reason id / policy verdict        |
 *   +---------------------------------------------------------------+
 *   |                        reserved (i32)                         |
 *   +---------------------------------------------------------------+
 *   |                         count (i64)                           |
 *   |                                                               |
 *   +---------------------------------------------------------------+
 * </pre>
 */
public final class EventFlyweight extends MessageHeaderFlyweight {
    public static final short DROP = 1;
    public static final short POLICY_VERDICT = 2;
    public static final int EVENT_TYPE_OFFSET = HEADER_LENGTH;
    public static final int PORT_OFFSET = HEADER_LENGTH + 4;
    public static final int CODE_OFFSET = HEADER_LENGTH + 8;
    public static final int COUNT_OFFSET = HEADER_LENGTH + 16;
    public static final int LENGTH = HEADER_LENGTH + 24;

    /** Writes a whole message; returns its length. */
    public int write(MutableDirectBuffer target, int at, short eventType, int portId, int code, long count) {
        wrapForWrite(target, at, ControlProtocol.EVENT);
        target.putShort(at + EVENT_TYPE_OFFSET, eventType);
        target.putShort(at + EVENT_TYPE_OFFSET + 2, (short) 0);
        target.putInt(at + PORT_OFFSET, portId);
        target.putInt(at + CODE_OFFSET, code);
        target.putInt(at + CODE_OFFSET + 4, 0);
        target.putLong(at + COUNT_OFFSET, count);
        length(LENGTH);
        return LENGTH;
    }

    public short eventType() {
        return buffer.getShort(offset + EVENT_TYPE_OFFSET);
    }

    public int portId() {
        return buffer.getInt(offset + PORT_OFFSET);
    }

    public int code() {
        return buffer.getInt(offset + CODE_OFFSET);
    }

    public long count() {
        return buffer.getLong(offset + COUNT_OFFSET);
    }
}
