package io.isthmus.dns.wire;

/** Response codes (RFC 1035 section 4.1.1; BADVERS from RFC 6891 is an extended code carried in OPT). */
public final class Rcode {
    public static final int NOERROR = 0;
    public static final int FORMERR = 1;
    public static final int SERVFAIL = 2;
    public static final int NXDOMAIN = 3;
    public static final int NOTIMP = 4;
    public static final int REFUSED = 5;
    /** Extended rcode 16: the upper 8 bits (1) go in the OPT TTL, the lower 4 (0) in the header. */
    public static final int BADVERS = 16;

    private Rcode() {
    }
}
