package io.isthmus.lb.model;

/** The transport protocols a Service port may name, with their IP protocol numbers. */
public enum Protocol {
    TCP(6),
    UDP(17),
    SCTP(132);

    private final int ipProtocolNumber;

    Protocol(int ipProtocolNumber) {
        this.ipProtocolNumber = ipProtocolNumber;
    }

    /** The IP header protocol number (6, 17, 132): the third part of a frontend key. */
    public int ipProtocolNumber() {
        return ipProtocolNumber;
    }

    /** The protocol for an IP protocol number, or null when a Service cannot carry it. */
    public static Protocol ofIpProtocolNumber(int number) {
        return switch (number) {
            case 6 -> TCP;
            case 17 -> UDP;
            case 132 -> SCTP;
            default -> null;
        };
    }
}
