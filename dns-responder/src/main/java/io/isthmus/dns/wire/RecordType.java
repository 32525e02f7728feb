package io.isthmus.dns.wire;

/** Resource record TYPE and CLASS values used here (RFC 1035, RFC 2782, RFC 3596, RFC 6891). */
public final class RecordType {
    public static final int A = 1;
    public static final int NS = 2;
    public static final int CNAME = 5;
    public static final int SOA = 6;
    public static final int PTR = 12;
    public static final int TXT = 16;
    public static final int AAAA = 28;
    public static final int SRV = 33;
    public static final int OPT = 41;
    public static final int ANY = 255;

    public static final int CLASS_IN = 1;
    public static final int CLASS_ANY = 255;

    private RecordType() {
    }

    /** The mnemonic, or {@code TYPEnnn} (RFC 3597) for others. */
    public static String name(int type) {
        return switch (type) {
            case A -> "A";
            case NS -> "NS";
            case CNAME -> "CNAME";
            case SOA -> "SOA";
            case PTR -> "PTR";
            case TXT -> "TXT";
            case AAAA -> "AAAA";
            case SRV -> "SRV";
            case OPT -> "OPT";
            case ANY -> "ANY";
            default -> "TYPE" + type;
        };
    }
}
