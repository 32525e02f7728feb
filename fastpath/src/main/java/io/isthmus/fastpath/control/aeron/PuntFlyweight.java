package io.isthmus.fastpath.control.aeron;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * PUNT: a frame the fast path hands to the slow path (ARP for an unknown next hop, a name outside
 * the cluster zone, ...), copied whole.
 *
 * <pre>
 *   header (24 bytes, type PUNT)
 *   +---------------------------------------------------------------+
 *   |                   ingress port id (i32)                       |
 *   +---------------------------------------------------------------+
 *   |                   punt reason (i32)                           |
 *   +---------------------------------------------------------------+
 *   |  frame length (i32) | frame bytes ...                         |
 *   +---------------------------------------------------------------+
 * </pre>
 */
public final class PuntFlyweight extends MessageHeaderFlyweight {
    public static final int PORT_OFFSET = HEADER_LENGTH;
    public static final int REASON_OFFSET = HEADER_LENGTH + 4;
    public static final int FRAME_LENGTH_OFFSET = HEADER_LENGTH + 8;
    public static final int FRAME_OFFSET = HEADER_LENGTH + 12;

    /** Writes a whole message, copying {@code frameLength} bytes of {@code frame} at {@code frameOffset}; returns its length. */
    public int write(MutableDirectBuffer target, int at, int portId, int reason, DirectBuffer frame, int frameOffset, int frameLength) {
        wrapForWrite(target, at, ControlProtocol.PUNT);
        target.putInt(at + PORT_OFFSET, portId);
        target.putInt(at + REASON_OFFSET, reason);
        target.putInt(at + FRAME_LENGTH_OFFSET, frameLength);
        target.putBytes(at + FRAME_OFFSET, frame, frameOffset, frameLength);
        final int length = FRAME_OFFSET + frameLength;
        length(length);
        return length;
    }

    public int portId() {
        return buffer.getInt(offset + PORT_OFFSET);
    }

    public int reason() {
        return buffer.getInt(offset + REASON_OFFSET);
    }

    public int frameLength() {
        return buffer.getInt(offset + FRAME_LENGTH_OFFSET);
    }

    /** Offset of the frame's first byte in the wrapped buffer. */
    public int frameOffset() {
        return offset + FRAME_OFFSET;
    }

    /** A copy of the frame (allocates). */
    public byte[] frame() {
        final byte[] bytes = new byte[frameLength()];
        buffer.getBytes(frameOffset(), bytes);
        return bytes;
    }
}
