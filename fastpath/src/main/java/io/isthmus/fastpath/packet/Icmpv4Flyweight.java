package io.isthmus.fastpath.packet;

import java.lang.foreign.MemorySegment;

import static io.isthmus.fastpath.packet.Icmpv4Descriptor.*;

/**
 * An ICMPv4 message read and written in place; layout: {@link Icmpv4Descriptor}. {@link #wrap}
 * takes the offset of the ICMP header and the message length (header plus data).
 *
 * <p><b>Thread-safety:</b> a flyweight belongs to one thread.
 */
public final class Icmpv4Flyweight {
    private MemorySegment segment;
    private long offset;
    private int length;

    public Icmpv4Flyweight wrap(MemorySegment segment, long offset, int messageLengthBytes) {
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

    public Icmpv4Flyweight type(int type) {
        NetworkOrder.putU8(segment, offset + TYPE_OFFSET, type);
        return this;
    }

    public int code() {
        return NetworkOrder.u8(segment, offset + CODE_OFFSET);
    }

    public Icmpv4Flyweight code(int code) {
        NetworkOrder.putU8(segment, offset + CODE_OFFSET, code);
        return this;
    }

    public int checksum() {
        return NetworkOrder.u16(segment, offset + CHECKSUM_OFFSET);
    }

    public Icmpv4Flyweight checksum(int checksum) {
        NetworkOrder.putU16(segment, offset + CHECKSUM_OFFSET, checksum);
        return this;
    }

    public int identifier() {
        return NetworkOrder.u16(segment, offset + IDENTIFIER_OFFSET);
    }

    public Icmpv4Flyweight identifier(int identifier) {
        NetworkOrder.putU16(segment, offset + IDENTIFIER_OFFSET, identifier);
        return this;
    }

    public int sequence() {
        return NetworkOrder.u16(segment, offset + SEQUENCE_OFFSET);
    }

    public Icmpv4Flyweight sequence(int sequence) {
        NetworkOrder.putU16(segment, offset + SEQUENCE_OFFSET, sequence);
        return this;
    }

    /** Computes and stores the checksum over the whole message. */
    public Icmpv4Flyweight updateChecksum() {
        checksum(0);
        return checksum(InternetChecksum.compute(segment, offset, length));
    }

    public boolean isChecksumValid() {
        return InternetChecksum.verify(0, segment, offset, length);
    }

    /** RFC 1624 update after a covered 16-bit word changed (e.g. echo request → reply: type word 0x0800 → 0x0000). */
    public Icmpv4Flyweight adjustChecksum16(int oldWord, int newWord) {
        return checksum(InternetChecksum.update16(checksum(), oldWord, newWord));
    }
}
