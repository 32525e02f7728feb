package io.isthmus.fastpath.packet;

/**
 * Layout of an ICMPv6 message header (RFC 4443, section 2.1). Unlike ICMPv4, the checksum covers
 * the IPv6 pseudo-header too (next header 58). Echo messages carry an identifier and a sequence
 * number; Neighbor Solicitation/Advertisement (RFC 4861) a reserved word then a target address.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |     Type      |     Code      |          Checksum             |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |           Identifier          |        Sequence Number        |  (echo)
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |     Message body ...
 * +-+-+-+-+-
 * </pre>
 */
public final class Icmpv6Descriptor {
    public static final int TYPE_OFFSET = 0;
    public static final int CODE_OFFSET = 1;
    public static final int CHECKSUM_OFFSET = 2;
    public static final int IDENTIFIER_OFFSET = 4;
    public static final int SEQUENCE_OFFSET = 6;
    public static final int HEADER_LENGTH = 8;
    /** Offset of the target address in a Neighbor Solicitation or Advertisement. */
    public static final int ND_TARGET_OFFSET = 8;

    public static final int TYPE_ECHO_REQUEST = 128;
    public static final int TYPE_ECHO_REPLY = 129;
    public static final int TYPE_NEIGHBOR_SOLICITATION = 135;
    public static final int TYPE_NEIGHBOR_ADVERTISEMENT = 136;

    private Icmpv6Descriptor() {
    }
}
