package io.isthmus.fastpath.control.aeron;

import io.isthmus.fastpath.control.PortAttachment;
import io.isthmus.fastpath.pipeline.PortKind;
import org.agrona.MutableDirectBuffer;

/**
 * ATTACH_PORT and DETACH_PORT: one pod's host-side interface.
 *
 * <pre>
 *   header (24 bytes, type ATTACH_PORT or DETACH_PORT)
 *   +---------------------------------------------------------------+
 *   |                      pod IPv4 (i32)                           |
 *   +---------------------------------------------------------------+
 *   |                      pod MAC (i64, low 48 bits)               |
 *   |                                                               |
 *   +---------------------------------------------------------------+
 *   |  interface name length (i32) | interface name, UTF-8 ...      |
 *   +---------------------------------------------------------------+
 *   |  pod key length (i32) | pod key, UTF-8 ...                    |
 *   +---------------+-----------------------------------------------+
 *   | kind (u8)     |   (PortKind id; absent in messages of older
 *   +---------------+    senders, which then mean POD)
 *   DETACH_PORT: IPv4 and MAC are 0, the pod key is empty.
 * </pre>
 */
public final class PortFlyweight extends MessageHeaderFlyweight {
    public static final int POD_IP_OFFSET = HEADER_LENGTH;
    public static final int POD_MAC_OFFSET = HEADER_LENGTH + 4;
    public static final int INTERFACE_OFFSET = HEADER_LENGTH + 12;

    /** Writes a whole message; returns its length. */
    public int write(MutableDirectBuffer target, int at, short type, long correlationId, PortAttachment port) {
        wrapForWrite(target, at, type);
        correlationId(correlationId);
        target.putInt(at + POD_IP_OFFSET, port.podIp());
        target.putLong(at + POD_MAC_OFFSET, port.podMac());
        final int keyAt = putString(INTERFACE_OFFSET, port.hostIfName());
        final int kindAt = putString(keyAt, port.podKey() == null ? "" : port.podKey());
        target.putByte(at + kindAt, (byte) port.kind().id());
        final int length = kindAt + 1;
        length(length);
        return length;
    }

    public int podIp() {
        return buffer.getInt(offset + POD_IP_OFFSET);
    }

    public long podMac() {
        return buffer.getLong(offset + POD_MAC_OFFSET);
    }

    public String hostIfName() {
        return stringAt(INTERFACE_OFFSET);
    }

    public String podKey() {
        return stringAt(INTERFACE_OFFSET + stringLengthAt(INTERFACE_OFFSET));
    }

    /** The port's kind; {@link PortKind#POD} when the message ends after the pod key (an older sender). */
    public PortKind kind() {
        final int keyAt = INTERFACE_OFFSET + stringLengthAt(INTERFACE_OFFSET);
        final int kindAt = keyAt + stringLengthAt(keyAt);
        return length() > kindAt ? PortKind.ofId(buffer.getByte(offset + kindAt)) : PortKind.POD;
    }

    /** The whole message as the seam's record (allocates). */
    public PortAttachment attachment() {
        return new PortAttachment(hostIfName(), podIp(), podMac(), podKey(), kind());
    }
}
