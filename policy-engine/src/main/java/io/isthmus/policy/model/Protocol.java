package io.isthmus.policy.model;

/**
 * The transport protocols a NetworkPolicy port can name (API: {@code NetworkPolicyPort.protocol},
 * "TCP, UDP, or SCTP. If not specified, this field defaults to TCP"), plus {@link #OTHER} for
 * everything else (ICMP, ...), which only a rule without ports can allow.
 *
 * <p>{@link #index()} is the dense 0..3 index used in the compiled tables.
 */
public enum Protocol {
    TCP(6), UDP(17), SCTP(132), OTHER(-1);

    /** Number of protocol slots in a compiled table. */
    public static final int COUNT = 4;

    private final int ipProtocolNumber;

    Protocol(int ipProtocolNumber) {
        this.ipProtocolNumber = ipProtocolNumber;
    }

    /** Dense index for tables: TCP 0, UDP 1, SCTP 2, OTHER 3. */
    public int index() {
        return ordinal();
    }

    /** The IANA protocol number, -1 for OTHER. */
    public int ipProtocolNumber() {
        return ipProtocolNumber;
    }

    /** The table index of an IP protocol number (fast path: no allocation, no exception). */
    public static int indexOfIpProtocol(int ipProtocolNumber) {
        return switch (ipProtocolNumber) {
            case 6 -> 0;
            case 17 -> 1;
            case 132 -> 2;
            default -> 3;
        };
    }

    /** Parses the API spelling ("TCP", "UDP", "SCTP"); null for anything else. */
    public static Protocol ofApiName(String name) {
        return switch (name) {
            case "TCP" -> TCP;
            case "UDP" -> UDP;
            case "SCTP" -> SCTP;
            default -> null;
        };
    }
}
