package io.isthmus.fastpath.packet;

/**
 * Layout of a UDP header (RFC 768). The checksum covers the IPv4/IPv6 pseudo-header, this header
 * and the data; over IPv4 a checksum of 0 means "none", and a computed 0 is sent as 0xFFFF.
 *
 * <pre>
 *  0      7 8     15 16    23 24    31
 * +--------+--------+--------+--------+
 * |     Source      |   Destination   |
 * |      Port       |      Port       |
 * +--------+--------+--------+--------+
 * |     Length      |    Checksum     |
 * +--------+--------+--------+--------+
 * |          data octets ...
 * +---------------- ...
 * </pre>
 */
public final class UdpDescriptor {
    public static final int SRC_PORT_OFFSET = 0;
    public static final int DST_PORT_OFFSET = 2;
    public static final int LENGTH_OFFSET = 4;
    public static final int CHECKSUM_OFFSET = 6;
    public static final int HEADER_LENGTH = 8;

    private UdpDescriptor() {
    }
}
