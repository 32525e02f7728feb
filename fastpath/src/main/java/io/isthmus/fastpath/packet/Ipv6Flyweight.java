package io.isthmus.fastpath.packet;

import java.lang.foreign.MemorySegment;

import static io.isthmus.fastpath.packet.Ipv6Descriptor.*;

/**
 * The fixed IPv6 header read and written in place; layout: {@link Ipv6Descriptor}. Addresses are
 * 128 bits: read them as two longs ({@link #srcHigh()}/{@link #srcLow()}), compare in place, or copy.
 *
 * <p><b>Thread-safety:</b> a flyweight belongs to one thread.
 */
public final class Ipv6Flyweight {
    private MemorySegment segment;
    private long offset;
    private int length;

    public Ipv6Flyweight wrap(MemorySegment segment, long offset, int lengthBytes) {
        this.segment = segment;
        this.offset = offset;
        this.length = lengthBytes;
        return this;
    }

    /** True when the fixed header fits and the payload length does not run past the frame. */
    public boolean isComplete() {
        return length >= HEADER_LENGTH && payloadLength() <= length - HEADER_LENGTH;
    }

    public int version() {
        return NetworkOrder.u8(segment, offset) >>> 4;
    }

    public int trafficClass() {
        return (NetworkOrder.u16(segment, offset) >>> 4) & 0xFF;
    }

    public int flowLabel() {
        return NetworkOrder.u32(segment, offset) & 0x000F_FFFF;
    }

    public Ipv6Flyweight versionClassFlow(int trafficClass, int flowLabel) {
        NetworkOrder.putU32(segment, offset, (VERSION << 28) | ((trafficClass & 0xFF) << 20) | (flowLabel & 0x000F_FFFF));
        return this;
    }

    public int payloadLength() {
        return NetworkOrder.u16(segment, offset + PAYLOAD_LENGTH_OFFSET);
    }

    public Ipv6Flyweight payloadLength(int lengthBytes) {
        NetworkOrder.putU16(segment, offset + PAYLOAD_LENGTH_OFFSET, lengthBytes);
        return this;
    }

    public int nextHeader() {
        return NetworkOrder.u8(segment, offset + NEXT_HEADER_OFFSET);
    }

    public Ipv6Flyweight nextHeader(int nextHeader) {
        NetworkOrder.putU8(segment, offset + NEXT_HEADER_OFFSET, nextHeader);
        return this;
    }

    public int hopLimit() {
        return NetworkOrder.u8(segment, offset + HOP_LIMIT_OFFSET);
    }

    public Ipv6Flyweight hopLimit(int hopLimit) {
        NetworkOrder.putU8(segment, offset + HOP_LIMIT_OFFSET, hopLimit);
        return this;
    }

    public long srcHigh() {
        return segment.get(NetworkOrder.U64, offset + SRC_OFFSET);
    }

    public long srcLow() {
        return segment.get(NetworkOrder.U64, offset + SRC_OFFSET + 8);
    }

    public Ipv6Flyweight src(long high, long low) {
        segment.set(NetworkOrder.U64, offset + SRC_OFFSET, high);
        segment.set(NetworkOrder.U64, offset + SRC_OFFSET + 8, low);
        return this;
    }

    public long dstHigh() {
        return segment.get(NetworkOrder.U64, offset + DST_OFFSET);
    }

    public long dstLow() {
        return segment.get(NetworkOrder.U64, offset + DST_OFFSET + 8);
    }

    public Ipv6Flyweight dst(long high, long low) {
        segment.set(NetworkOrder.U64, offset + DST_OFFSET, high);
        segment.set(NetworkOrder.U64, offset + DST_OFFSET + 8, low);
        return this;
    }

    /** Offset (in the segment) of the first byte after the fixed header. */
    public long payloadOffset() {
        return offset + HEADER_LENGTH;
    }

    /** Pseudo-header sum for an upper-layer protocol whose header follows the fixed header directly. */
    public long pseudoHeaderSum(int upperLayerLengthBytes) {
        return InternetChecksum.pseudoHeaderSumIpv6(segment, offset + SRC_OFFSET, offset + DST_OFFSET,
                nextHeader(), upperLayerLengthBytes);
    }
}
