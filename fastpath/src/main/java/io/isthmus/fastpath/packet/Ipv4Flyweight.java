package io.isthmus.fastpath.packet;

import java.lang.foreign.MemorySegment;

import static io.isthmus.fastpath.packet.Ipv4Descriptor.*;

/**
 * An IPv4 header read and written in place; layout: {@link Ipv4Descriptor}. {@link #wrap} takes the
 * offset of the IP header and the bytes available from there to the end of the frame.
 *
 * <p>Writers of TTL and addresses keep the header checksum right with the incremental update of
 * RFC 1624 ({@link #decrementTtl()}, {@link #srcUpdatingChecksum}, {@link #dstUpdatingChecksum});
 * the plain setters leave the checksum alone.
 *
 * <p><b>Thread-safety:</b> a flyweight belongs to one thread.
 */
public final class Ipv4Flyweight {
    private MemorySegment segment;
    private long offset;
    private int length;

    public Ipv4Flyweight wrap(MemorySegment segment, long offset, int lengthBytes) {
        this.segment = segment;
        this.offset = offset;
        this.length = lengthBytes;
        return this;
    }

    public long offset() {
        return offset;
    }

    /** Bytes available from the start of the IP header to the end of the frame. */
    public int availableBytes() {
        return length;
    }

    public int version() {
        return NetworkOrder.u8(segment, offset + VERSION_IHL_OFFSET) >>> 4;
    }

    /** Internet header length in 32-bit words. */
    public int ihl() {
        return NetworkOrder.u8(segment, offset + VERSION_IHL_OFFSET) & 0x0F;
    }

    public int headerLengthBytes() {
        return ihl() << 2;
    }

    public Ipv4Flyweight versionAndIhl(int version, int ihl) {
        NetworkOrder.putU8(segment, offset + VERSION_IHL_OFFSET, (version << 4) | ihl);
        return this;
    }

    public int tos() {
        return NetworkOrder.u8(segment, offset + TOS_OFFSET);
    }

    public Ipv4Flyweight tos(int tos) {
        NetworkOrder.putU8(segment, offset + TOS_OFFSET, tos);
        return this;
    }

    public int totalLength() {
        return NetworkOrder.u16(segment, offset + TOTAL_LENGTH_OFFSET);
    }

    public Ipv4Flyweight totalLength(int lengthBytes) {
        NetworkOrder.putU16(segment, offset + TOTAL_LENGTH_OFFSET, lengthBytes);
        return this;
    }

    public int identification() {
        return NetworkOrder.u16(segment, offset + IDENTIFICATION_OFFSET);
    }

    public Ipv4Flyweight identification(int id) {
        NetworkOrder.putU16(segment, offset + IDENTIFICATION_OFFSET, id);
        return this;
    }

    /** The 16-bit flags-and-fragment-offset word. */
    public int flagsAndFragmentOffset() {
        return NetworkOrder.u16(segment, offset + FLAGS_FRAGMENT_OFFSET);
    }

    public Ipv4Flyweight flagsAndFragmentOffset(int word) {
        NetworkOrder.putU16(segment, offset + FLAGS_FRAGMENT_OFFSET, word);
        return this;
    }

    /** True for any fragment (MF set, or a non-zero fragment offset). */
    public boolean isFragment() {
        return (flagsAndFragmentOffset() & (FLAG_MORE_FRAGMENTS | FRAGMENT_OFFSET_MASK)) != 0;
    }

    public int ttl() {
        return NetworkOrder.u8(segment, offset + TTL_OFFSET);
    }

    public Ipv4Flyweight ttl(int ttl) {
        NetworkOrder.putU8(segment, offset + TTL_OFFSET, ttl);
        return this;
    }

    public int protocol() {
        return NetworkOrder.u8(segment, offset + PROTOCOL_OFFSET);
    }

    public Ipv4Flyweight protocol(int protocol) {
        NetworkOrder.putU8(segment, offset + PROTOCOL_OFFSET, protocol);
        return this;
    }

    public int checksum() {
        return NetworkOrder.u16(segment, offset + CHECKSUM_OFFSET);
    }

    public Ipv4Flyweight checksum(int checksum) {
        NetworkOrder.putU16(segment, offset + CHECKSUM_OFFSET, checksum);
        return this;
    }

    public int src() {
        return NetworkOrder.u32(segment, offset + SRC_OFFSET);
    }

    public Ipv4Flyweight src(int address) {
        NetworkOrder.putU32(segment, offset + SRC_OFFSET, address);
        return this;
    }

    public int dst() {
        return NetworkOrder.u32(segment, offset + DST_OFFSET);
    }

    public Ipv4Flyweight dst(int address) {
        NetworkOrder.putU32(segment, offset + DST_OFFSET, address);
        return this;
    }

    /** Decrements the TTL by one and patches the header checksum (RFC 1624). The caller checked TTL > 1. */
    public Ipv4Flyweight decrementTtl() {
        final int oldWord = NetworkOrder.u16(segment, offset + TTL_OFFSET);
        final int newWord = oldWord - 0x0100;
        NetworkOrder.putU16(segment, offset + TTL_OFFSET, newWord);
        checksum(InternetChecksum.update16(checksum(), oldWord, newWord));
        return this;
    }

    /** Rewrites the source address and patches the header checksum (RFC 1624); returns the old address. */
    public int srcUpdatingChecksum(int address) {
        final int old = src();
        src(address);
        checksum(InternetChecksum.update32(checksum(), old, address));
        return old;
    }

    /** Rewrites the destination address and patches the header checksum (RFC 1624); returns the old address. */
    public int dstUpdatingChecksum(int address) {
        final int old = dst();
        dst(address);
        checksum(InternetChecksum.update32(checksum(), old, address));
        return old;
    }

    /** Computes the header checksum from scratch and stores it. */
    public Ipv4Flyweight updateChecksum() {
        checksum(0);
        checksum(InternetChecksum.compute(segment, offset, headerLengthBytes()));
        return this;
    }

    /** True when the header checksum verifies (the one's complement sum over the header is 0xFFFF). */
    public boolean isChecksumValid() {
        return InternetChecksum.fold(InternetChecksum.sum(segment, offset, headerLengthBytes())) == 0xFFFF;
    }

    /** One's complement sum of the TCP/UDP pseudo-header (RFC 793 / RFC 768) for this datagram. */
    public long pseudoHeaderSum(int l4LengthBytes) {
        return InternetChecksum.pseudoHeaderSumIpv4(src(), dst(), protocol(), l4LengthBytes);
    }

    /** Offset of the payload (transport header) in the segment. */
    public long payloadOffset() {
        return offset + headerLengthBytes();
    }

    /** Bytes of payload according to the header (total length minus header length). */
    public int payloadLength() {
        return totalLength() - headerLengthBytes();
    }
}
