package io.isthmus.dns.wire;

/**
 * The EDNS0 OPT pseudo-record (RFC 6891 section 6.1.2) as it sits in the additional section.
 *
 * <pre>
 * +------+--------+--------------------+----------------------------------+---------+
 * | NAME | TYPE   | CLASS              | TTL                              | RDLEN   |
 * | 0x00 | 41     | UDP payload size   | EXT-RCODE | VERSION | DO | Z    | 2 bytes |
 * |  1 B | 2 B    | 2 B                |  1 B      |  1 B    |  2 B       |         |
 * +------+--------+--------------------+----------------------------------+---------+
 *   0      1        3                    5           6         7            9 .. 10
 * </pre>
 *
 * Our responses carry an OPT with no options: {@link #LENGTH_BYTES} bytes.
 */
public final class OptDescriptor {
    public static final int TYPE_OFFSET = 1;
    public static final int PAYLOAD_SIZE_OFFSET = 3;
    public static final int EXTENDED_RCODE_OFFSET = 5;
    public static final int VERSION_OFFSET = 6;
    public static final int FLAGS_OFFSET = 7;
    public static final int RDLENGTH_OFFSET = 9;
    public static final int LENGTH_BYTES = 11;
    /** The DNSSEC OK bit of the flags field. */
    public static final int FLAG_DO = 0x8000;

    private OptDescriptor() {
    }
}
