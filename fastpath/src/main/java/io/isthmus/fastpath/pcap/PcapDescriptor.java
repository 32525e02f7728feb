package io.isthmus.fastpath.pcap;

/**
 * The libpcap file format (the classic ".pcap", not pcapng): a 24-byte file header, then one
 * 16-byte record header before each captured frame. All fields are in the byte order of the
 * writer; a reader tells the order (and the timestamp resolution) from the magic number.
 *
 * <pre>
 * file header                                 record header
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                          Magic Number                         |  0   +---------------------------+
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+      | Timestamp (seconds)       | 0
 * |          Major Version (2)    |         Minor Version (4)     |  4   +---------------------------+
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+      | Timestamp (µs or ns)      | 4
 * |                   Reserved1 (thiszone, 0)                     |  8   +---------------------------+
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+      | Captured Packet Length    | 8
 * |                   Reserved2 (sigfigs, 0)                      | 12   +---------------------------+
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+      | Original Packet Length    | 12
 * |                            SnapLen                            | 16   +---------------------------+
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+      | Packet Data (captured len)| 16
 * |                   LinkType (1 = ETHERNET)                     | 20   /                           /
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+      +---------------------------+
 * </pre>
 *
 * Magic 0xA1B2C3D4: microsecond timestamps; 0xA1B23C4D: nanosecond timestamps. Read as the
 * byte-swapped values (0xD4C3B2A1, 0x4D3CB2A1) they mean the file is in the other byte order.
 */
public final class PcapDescriptor {
    public static final int MAGIC_MICROSECONDS = 0xA1B2C3D4;
    public static final int MAGIC_NANOSECONDS = 0xA1B23C4D;
    public static final int VERSION_MAJOR = 2;
    public static final int VERSION_MINOR = 4;
    public static final int LINKTYPE_ETHERNET = 1;

    public static final int FILE_HEADER_LENGTH = 24;
    public static final int MAGIC_OFFSET = 0;
    public static final int VERSION_MAJOR_OFFSET = 4;
    public static final int VERSION_MINOR_OFFSET = 6;
    public static final int SNAPLEN_OFFSET = 16;
    public static final int LINKTYPE_OFFSET = 20;

    public static final int RECORD_HEADER_LENGTH = 16;
    public static final int TS_SECONDS_OFFSET = 0;
    public static final int TS_FRACTION_OFFSET = 4;
    public static final int CAPTURED_LENGTH_OFFSET = 8;
    public static final int ORIGINAL_LENGTH_OFFSET = 12;

    /** Largest record we accept (libpcap's own limit for Ethernet is 262144). */
    public static final int MAX_SNAPLEN = 262_144;

    private PcapDescriptor() {
    }
}
