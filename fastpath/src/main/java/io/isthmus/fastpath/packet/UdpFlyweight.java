package io.isthmus.fastpath.packet;

import java.lang.foreign.MemorySegment;

import static io.isthmus.fastpath.packet.UdpDescriptor.*;

/**
 * A UDP header read and written in place; layout: {@link UdpDescriptor}. {@link #wrap} takes the
 * offset of the UDP header and the bytes available from there.
 *
 * <p><b>Thread-safety:</b> a flyweight belongs to one thread.
 */
public final class UdpFlyweight {
    private MemorySegment segment;
    private long offset;
    private int length;

    public UdpFlyweight wrap(MemorySegment segment, long offset, int lengthBytes) {
        this.segment = segment;
        this.offset = offset;
        this.length = lengthBytes;
        return this;
    }

    public boolean isComplete() {
        return length >= HEADER_LENGTH;
    }

    public int srcPort() {
        return NetworkOrder.u16(segment, offset + SRC_PORT_OFFSET);
    }

    public UdpFlyweight srcPort(int port) {
        NetworkOrder.putU16(segment, offset + SRC_PORT_OFFSET, port);
        return this;
    }

    public int dstPort() {
        return NetworkOrder.u16(segment, offset + DST_PORT_OFFSET);
    }

    public UdpFlyweight dstPort(int port) {
        NetworkOrder.putU16(segment, offset + DST_PORT_OFFSET, port);
        return this;
    }

    /** The UDP length field: header plus data, in bytes. */
    public int udpLength() {
        return NetworkOrder.u16(segment, offset + LENGTH_OFFSET);
    }

    public UdpFlyweight udpLength(int lengthBytes) {
        NetworkOrder.putU16(segment, offset + LENGTH_OFFSET, lengthBytes);
        return this;
    }

    public int checksum() {
        return NetworkOrder.u16(segment, offset + CHECKSUM_OFFSET);
    }

    public UdpFlyweight checksum(int checksum) {
        NetworkOrder.putU16(segment, offset + CHECKSUM_OFFSET, checksum);
        return this;
    }

    public long payloadOffset() {
        return offset + HEADER_LENGTH;
    }

    /** Computes and stores the checksum over pseudo-header, header and data (0 is sent as 0xFFFF). */
    public UdpFlyweight updateChecksum(long pseudoHeaderSum) {
        checksum(0);
        final int sum = InternetChecksum.compute(pseudoHeaderSum, segment, offset, udpLength());
        return checksum(sum == 0 ? 0xFFFF : sum);
    }

    /** True when the checksum verifies, or is 0 (IPv4: "no checksum"). */
    public boolean isChecksumValid(long pseudoHeaderSum) {
        return checksum() == 0 || InternetChecksum.verify(pseudoHeaderSum, segment, offset, udpLength());
    }

    /** RFC 1624 update after a 16-bit covered field (a port) changed; keeps "no checksum" as 0. */
    public UdpFlyweight adjustChecksum16(int oldWord, int newWord) {
        final int old = checksum();
        if (old != 0) {
            final int sum = InternetChecksum.update16(old, oldWord, newWord);
            checksum(sum == 0 ? 0xFFFF : sum);
        }
        return this;
    }

    /** RFC 1624 update after a 32-bit covered field (an IPv4 address in the pseudo-header) changed. */
    public UdpFlyweight adjustChecksum32(int oldValue, int newValue) {
        final int old = checksum();
        if (old != 0) {
            final int sum = InternetChecksum.update32(old, oldValue, newValue);
            checksum(sum == 0 ? 0xFFFF : sum);
        }
        return this;
    }
}
