package io.isthmus.slowpath.netlink;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Builds one netlink request in native byte order: the 16-byte {@code nlmsghdr}, a family header
 * ({@code ifinfomsg}, {@code ifaddrmsg}, {@code rtmsg} or {@code ndmsg}), then attributes, each
 * padded to 4 bytes, possibly nested.
 *
 * <pre>
 *  0               4       6       8               12              16
 *  +---------------+-------+-------+---------------+---------------+
 *  | nlmsg_len     | type  | flags | seq           | pid           |  nlmsghdr
 *  +---------------+-------+-------+---------------+---------------+
 *  | family header (16/8/12/12 bytes)                              |
 *  +-------+-------+-----------------------------------------------+
 *  | len   | type  | value ... padded to 4                         |  rtattr, repeated
 *  +-------+-------+-----------------------------------------------+
 * </pre>
 *
 * Slow path only (it allocates). Not thread-safe: one request, one caller.
 */
final class NetlinkRequest {
    static final int HEADER_BYTES = 16;
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED;
    private static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED;

    private final MemorySegment buffer;
    private final Deque<Integer> nests = new ArrayDeque<>();
    private int length;

    NetlinkRequest(Arena arena, short type, short flags, int sequence) {
        this.buffer = arena.allocate(8192, 8);
        buffer.set(SHORT, 4, type);
        buffer.set(SHORT, 6, flags);
        buffer.set(INT, 8, sequence);
        buffer.set(INT, 12, 0);
        length = HEADER_BYTES;
    }

    /** {@code struct ifinfomsg}: family, type, index, flags, change. */
    NetlinkRequest ifinfomsg(int family, int index, int flags, int change) {
        final int at = reserve(16);
        buffer.set(ValueLayout.JAVA_BYTE, at, (byte) family);
        buffer.set(INT, at + 4, index);
        buffer.set(INT, at + 8, flags);
        buffer.set(INT, at + 12, change);
        return this;
    }

    /** {@code struct ifaddrmsg}: family, prefix length, flags, scope, index. */
    NetlinkRequest ifaddrmsg(int family, int prefixLength, int scope, int index) {
        final int at = reserve(8);
        buffer.set(ValueLayout.JAVA_BYTE, at, (byte) family);
        buffer.set(ValueLayout.JAVA_BYTE, at + 1, (byte) prefixLength);
        buffer.set(ValueLayout.JAVA_BYTE, at + 3, (byte) scope);
        buffer.set(INT, at + 4, index);
        return this;
    }

    /** {@code struct rtmsg}: family, dst_len, table, protocol, scope, type. */
    NetlinkRequest rtmsg(int family, int dstLength, byte table, byte protocol, byte scope, byte type) {
        final int at = reserve(12);
        buffer.set(ValueLayout.JAVA_BYTE, at, (byte) family);
        buffer.set(ValueLayout.JAVA_BYTE, at + 1, (byte) dstLength);
        buffer.set(ValueLayout.JAVA_BYTE, at + 4, table);
        buffer.set(ValueLayout.JAVA_BYTE, at + 5, protocol);
        buffer.set(ValueLayout.JAVA_BYTE, at + 6, scope);
        buffer.set(ValueLayout.JAVA_BYTE, at + 7, type);
        return this;
    }

    /** {@code struct ndmsg}: family, ifindex, state, flags, type. */
    NetlinkRequest ndmsg(int family, int index, short state) {
        final int at = reserve(12);
        buffer.set(ValueLayout.JAVA_BYTE, at, (byte) family);
        buffer.set(INT, at + 4, index);
        buffer.set(SHORT, at + 8, state);
        return this;
    }

    NetlinkRequest attribute(short type, byte[] value) {
        final int at = reserve(align(4 + value.length));
        buffer.set(SHORT, at, (short) (4 + value.length));
        buffer.set(SHORT, at + 2, type);
        MemorySegment.copy(value, 0, buffer, ValueLayout.JAVA_BYTE, at + 4, value.length);
        return this;
    }

    NetlinkRequest attributeInt(short type, int value) {
        final int at = reserve(8);
        buffer.set(SHORT, at, (short) 8);
        buffer.set(SHORT, at + 2, type);
        buffer.set(INT, at + 4, value);
        return this;
    }

    /** A NUL-terminated string attribute (interface names, link kinds). */
    NetlinkRequest attributeString(short type, String value) {
        final byte[] text = value.getBytes(StandardCharsets.US_ASCII);
        final byte[] terminated = new byte[text.length + 1];
        System.arraycopy(text, 0, terminated, 0, text.length);
        return attribute(type, terminated);
    }

    /** Opens a nested attribute; its length is written by {@link #endNested()}. */
    NetlinkRequest beginNested(short type) {
        final int at = reserve(4);
        buffer.set(SHORT, at + 2, type);
        nests.push(at);
        return this;
    }

    NetlinkRequest endNested() {
        final int at = nests.pop();
        buffer.set(SHORT, at, (short) (length - at));
        return this;
    }

    /** The finished message (its nlmsg_len written). */
    MemorySegment message() {
        if (!nests.isEmpty()) {
            throw new IllegalStateException("unclosed nested attribute");
        }
        buffer.set(INT, 0, length);
        return buffer.asSlice(0, length);
    }

    private int reserve(int bytes) {
        final int at = length;
        if (at + bytes > buffer.byteSize()) {
            throw new IllegalStateException("netlink request larger than " + buffer.byteSize() + " bytes");
        }
        buffer.asSlice(at, bytes).fill((byte) 0);
        length += align(bytes);
        return at;
    }

    static int align(int bytes) {
        return (bytes + 3) & ~3;
    }
}
