package io.isthmus.fastpath.packet;

import java.lang.foreign.MemorySegment;

import static io.isthmus.fastpath.packet.Icmpv6Descriptor.*;

/**
 * An ICMPv6 message read and written in place; layout: {@link Icmpv6Descriptor}. Its checksum
 * covers the IPv6 pseudo-header: pass {@link Ipv6Flyweight#pseudoHeaderSum} of the message length.
 *
 * <p><b>Thread-safety:</b> a flyweight belongs to one thread.
 */
public final class Icmpv6Flyweight {
    private MemorySegment segment;
    private long offset;
    private int length;

    public Icmpv6Flyweight wrap(MemorySegment segment, long offset, int messageLengthBytes) {
        this.segment = segment;
        this.offset = offset;
        this.length = messageLengthBytes;
        return this;
    }

    public boolean isComplete() {
        return length >= HEADER_LENGTH;
    }

    public int type() {
        return NetworkOrder.u8(segment, offset + TYPE_OFFSET);
    }

    public Icmpv6Flyweight type(int type) {
        NetworkOrder.putU8(segment, offset + TYPE_OFFSET, type);
        return this;
    }

    public int code() {
        return NetworkOrder.u8(segment, offset + CODE_OFFSET);
    }

    public Icmpv6Flyweight code(int code) {
        NetworkOrder.putU8(segment, offset + CODE_OFFSET, code);
        return this;
    }

    public int checksum() {
        return NetworkOrder.u16(segment, offset + CHECKSUM_OFFSET);
    }

    public Icmpv6Flyweight checksum(int checksum) {
        NetworkOrder.putU16(segment, offset + CHECKSUM_OFFSET, checksum);
        return this;
    }

    public int identifier() {
        return NetworkOrder.u16(segment, offset + IDENTIFIER_OFFSET);
    }

    public int sequence() {
        return NetworkOrder.u16(segment, offset + SEQUENCE_OFFSET);
    }

    /** Target address of a Neighbor Solicitation/Advertisement, high 64 bits. */
    public long ndTargetHigh() {
        return segment.get(NetworkOrder.U64, offset + ND_TARGET_OFFSET);
    }

    public long ndTargetLow() {
        return segment.get(NetworkOrder.U64, offset + ND_TARGET_OFFSET + 8);
    }

    public Icmpv6Flyweight updateChecksum(long pseudoHeaderSum) {
        checksum(0);
        return checksum(InternetChecksum.compute(pseudoHeaderSum, segment, offset, length));
    }

    public boolean isChecksumValid(long pseudoHeaderSum) {
        return InternetChecksum.verify(pseudoHeaderSum, segment, offset, length);
    }
}
