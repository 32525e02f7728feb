package io.isthmus.fastpath.packet;

import java.lang.foreign.MemorySegment;

import static io.isthmus.fastpath.packet.TcpDescriptor.*;

/**
 * A TCP header read and written in place; layout: {@link TcpDescriptor}. {@link #wrap} takes the
 * offset of the TCP header and the segment length (header plus data, from the IP header's lengths).
 *
 * <p><b>Thread-safety:</b> a flyweight belongs to one thread.
 */
public final class TcpFlyweight {
    private MemorySegment segment;
    private long offset;
    private int length;

    public TcpFlyweight wrap(MemorySegment segment, long offset, int segmentLengthBytes) {
        this.segment = segment;
        this.offset = offset;
        this.length = segmentLengthBytes;
        return this;
    }

    /** True when the fixed header and any options fit. */
    public boolean isComplete() {
        return length >= MIN_HEADER_LENGTH && headerLengthBytes() >= MIN_HEADER_LENGTH && headerLengthBytes() <= length;
    }

    public int srcPort() {
        return NetworkOrder.u16(segment, offset + SRC_PORT_OFFSET);
    }

    public TcpFlyweight srcPort(int port) {
        NetworkOrder.putU16(segment, offset + SRC_PORT_OFFSET, port);
        return this;
    }

    public int dstPort() {
        return NetworkOrder.u16(segment, offset + DST_PORT_OFFSET);
    }

    public TcpFlyweight dstPort(int port) {
        NetworkOrder.putU16(segment, offset + DST_PORT_OFFSET, port);
        return this;
    }

    /** Sequence number as an unsigned 32-bit value in a long. */
    public long sequence() {
        return NetworkOrder.u32(segment, offset + SEQUENCE_OFFSET) & 0xFFFF_FFFFL;
    }

    public TcpFlyweight sequence(long sequence) {
        NetworkOrder.putU32(segment, offset + SEQUENCE_OFFSET, (int) sequence);
        return this;
    }

    public long acknowledgment() {
        return NetworkOrder.u32(segment, offset + ACKNOWLEDGMENT_OFFSET) & 0xFFFF_FFFFL;
    }

    public TcpFlyweight acknowledgment(long acknowledgment) {
        NetworkOrder.putU32(segment, offset + ACKNOWLEDGMENT_OFFSET, (int) acknowledgment);
        return this;
    }

    public int headerLengthBytes() {
        return (NetworkOrder.u8(segment, offset + DATA_OFFSET_OFFSET) >>> 4) << 2;
    }

    public TcpFlyweight headerLengthBytes(int lengthBytes) {
        NetworkOrder.putU8(segment, offset + DATA_OFFSET_OFFSET, (lengthBytes >>> 2) << 4);
        return this;
    }

    /** The flag bits (CWR..FIN), see {@code TcpDescriptor.FLAG_*}. */
    public int flags() {
        return NetworkOrder.u8(segment, offset + FLAGS_OFFSET);
    }

    public TcpFlyweight flags(int flags) {
        NetworkOrder.putU8(segment, offset + FLAGS_OFFSET, flags);
        return this;
    }

    public int window() {
        return NetworkOrder.u16(segment, offset + WINDOW_OFFSET);
    }

    public TcpFlyweight window(int window) {
        NetworkOrder.putU16(segment, offset + WINDOW_OFFSET, window);
        return this;
    }

    public int checksum() {
        return NetworkOrder.u16(segment, offset + CHECKSUM_OFFSET);
    }

    public TcpFlyweight checksum(int checksum) {
        NetworkOrder.putU16(segment, offset + CHECKSUM_OFFSET, checksum);
        return this;
    }

    public int urgentPointer() {
        return NetworkOrder.u16(segment, offset + URGENT_POINTER_OFFSET);
    }

    public long payloadOffset() {
        return offset + headerLengthBytes();
    }

    public int payloadLength() {
        return length - headerLengthBytes();
    }

    /** Computes and stores the checksum over pseudo-header, header and data. */
    public TcpFlyweight updateChecksum(long pseudoHeaderSum) {
        checksum(0);
        return checksum(InternetChecksum.compute(pseudoHeaderSum, segment, offset, length));
    }

    public boolean isChecksumValid(long pseudoHeaderSum) {
        return InternetChecksum.verify(pseudoHeaderSum, segment, offset, length);
    }

    /** RFC 1624 update after a 16-bit covered field (a port) changed. */
    public TcpFlyweight adjustChecksum16(int oldWord, int newWord) {
        return checksum(InternetChecksum.update16(checksum(), oldWord, newWord));
    }

    /** RFC 1624 update after a 32-bit covered field (an IPv4 address in the pseudo-header) changed. */
    public TcpFlyweight adjustChecksum32(int oldValue, int newValue) {
        return checksum(InternetChecksum.update32(checksum(), oldValue, newValue));
    }
}
