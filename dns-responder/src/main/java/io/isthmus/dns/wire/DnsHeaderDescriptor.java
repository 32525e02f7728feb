package io.isthmus.dns.wire;

/**
 * The layout of the 12-byte DNS message header (RFC 1035 section 4.1.1), all fields big-endian.
 *
 * <pre>
 *  0  1  2  3  4  5  6  7  8  9 10 11 12 13 14 15   (bit, most significant first)
 * +--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+
 * |                      ID                       |  offset 0
 * +--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+
 * |QR|   OPCODE  |AA|TC|RD|RA| Z|AD|CD|   RCODE   |  offset 2
 * +--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+
 * |                    QDCOUNT                    |  offset 4
 * |                    ANCOUNT                    |  offset 6
 * |                    NSCOUNT                    |  offset 8
 * |                    ARCOUNT                    |  offset 10
 * +--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+
 * </pre>
 *
 * The question section starts at {@link #LENGTH_BYTES}; a name compression pointer to the
 * question name is therefore always {@code 0xC00C}.
 */
public final class DnsHeaderDescriptor {
    public static final int ID_OFFSET = 0;
    public static final int FLAGS_OFFSET = 2;
    public static final int QDCOUNT_OFFSET = 4;
    public static final int ANCOUNT_OFFSET = 6;
    public static final int NSCOUNT_OFFSET = 8;
    public static final int ARCOUNT_OFFSET = 10;
    public static final int LENGTH_BYTES = 12;

    public static final int FLAG_QR = 0x8000;
    public static final int OPCODE_SHIFT = 11;
    public static final int OPCODE_MASK = 0xF;
    public static final int FLAG_AA = 0x0400;
    public static final int FLAG_TC = 0x0200;
    public static final int FLAG_RD = 0x0100;
    public static final int FLAG_RA = 0x0080;
    public static final int FLAG_CD = 0x0010;
    public static final int RCODE_MASK = 0xF;

    /** Opcode QUERY, the only one answered. */
    public static final int OPCODE_QUERY = 0;

    /** Largest UDP response without EDNS0 (RFC 1035 section 4.2.1). */
    public static final int CLASSIC_UDP_PAYLOAD_BYTES = 512;

    /** Largest DNS message over TCP: the 2-byte length prefix bounds it. */
    public static final int MAX_MESSAGE_BYTES = 65535;

    /** Longest domain name in wire format, length bytes and terminating zero included. */
    public static final int MAX_NAME_BYTES = 255;

    /** Longest label. */
    public static final int MAX_LABEL_BYTES = 63;

    private DnsHeaderDescriptor() {
    }
}
