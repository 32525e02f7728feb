package io.isthmus.fastpath.control.aeron;

import org.agrona.MutableDirectBuffer;

/**
 * ACK: the fast path's answer to one request (same correlation id).
 *
 * <pre>
 *   header (24 bytes, type ACK, correlation id of the request)
 *   +---------------------------------------------------------------+
 *   |                 status (i32): 0 OK, 1 FAILED                  |
 *   +---------------------------------------------------------------+
 *   |  message length (i32) | why it failed, UTF-8 ... (OK: empty)  |
 *   +---------------------------------------------------------------+
 * </pre>
 */
public final class AckFlyweight extends MessageHeaderFlyweight {
    public static final int OK = 0;
    public static final int FAILED = 1;
    public static final int STATUS_OFFSET = HEADER_LENGTH;
    public static final int MESSAGE_OFFSET = HEADER_LENGTH + 4;

    /** Writes a whole message; returns its length. */
    public int write(MutableDirectBuffer target, int at, long correlationId, int status, String message) {
        wrapForWrite(target, at, ControlProtocol.ACK);
        correlationId(correlationId);
        target.putInt(at + STATUS_OFFSET, status);
        final int length = putString(MESSAGE_OFFSET, message == null ? "" : message);
        length(length);
        return length;
    }

    public int status() {
        return buffer.getInt(offset + STATUS_OFFSET);
    }

    public String message() {
        return stringAt(MESSAGE_OFFSET);
    }
}
