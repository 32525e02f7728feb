package io.isthmus.fastpath.control.aeron;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * The 24-byte header every control message starts with (layout in {@link ControlProtocol}).
 * Wrap, then read or write in place; nothing is allocated.
 *
 * <p><b>Thread-safety:</b> a flyweight belongs to the thread using it.
 */
public class MessageHeaderFlyweight {
    public static final int TYPE_OFFSET = 0;
    public static final int VERSION_OFFSET = 2;
    public static final int LENGTH_OFFSET = 4;
    public static final int CORRELATION_ID_OFFSET = 8;
    public static final int EPOCH_OFFSET = 16;
    public static final int HEADER_LENGTH = 24;

    protected DirectBuffer buffer;
    protected MutableDirectBuffer mutable;
    protected int offset;

    /** Wraps a message to read. */
    public MessageHeaderFlyweight wrap(DirectBuffer buffer, int offset) {
        this.buffer = buffer;
        this.mutable = buffer instanceof MutableDirectBuffer m ? m : null;
        this.offset = offset;
        return this;
    }

    /** Wraps a buffer to write a message of {@code type} into (version set, length = header only so far). */
    public MessageHeaderFlyweight wrapForWrite(MutableDirectBuffer buffer, int offset, short type) {
        wrap(buffer, offset);
        buffer.putShort(offset + TYPE_OFFSET, type);
        buffer.putShort(offset + VERSION_OFFSET, ControlProtocol.VERSION);
        buffer.putInt(offset + LENGTH_OFFSET, HEADER_LENGTH);
        buffer.putLong(offset + CORRELATION_ID_OFFSET, 0);
        buffer.putLong(offset + EPOCH_OFFSET, 0);
        return this;
    }

    public short type() {
        return buffer.getShort(offset + TYPE_OFFSET);
    }

    public short version() {
        return buffer.getShort(offset + VERSION_OFFSET);
    }

    /** Length of the whole message, header included. */
    public int length() {
        return buffer.getInt(offset + LENGTH_OFFSET);
    }

    public long correlationId() {
        return buffer.getLong(offset + CORRELATION_ID_OFFSET);
    }

    public MessageHeaderFlyweight correlationId(long id) {
        mutable.putLong(offset + CORRELATION_ID_OFFSET, id);
        return this;
    }

    public long epoch() {
        return buffer.getLong(offset + EPOCH_OFFSET);
    }

    public MessageHeaderFlyweight epoch(long epoch) {
        mutable.putLong(offset + EPOCH_OFFSET, epoch);
        return this;
    }

    protected void length(int lengthBytes) {
        mutable.putInt(offset + LENGTH_OFFSET, lengthBytes);
    }

    /**
     * Reads the length-prefixed (i32) UTF-8 string at {@code relativeOffset} from the message start
     * (allocates a String: control path only).
     */
    protected String stringAt(int relativeOffset) {
        return buffer.getStringUtf8(offset + relativeOffset);
    }

    /** Bytes the string at {@code relativeOffset} takes, prefix included. */
    protected int stringLengthAt(int relativeOffset) {
        return 4 + buffer.getInt(offset + relativeOffset);
    }

    /** Writes {@code value} length-prefixed at {@code relativeOffset}; returns the offset after it. */
    protected int putString(int relativeOffset, String value) {
        return relativeOffset + mutable.putStringUtf8(offset + relativeOffset, value);
    }
}
