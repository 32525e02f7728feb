package io.isthmus.conntrack.proto;

/** TCP header flag bits as they appear in byte 13 of the header. */
public final class TcpFlags {

    private TcpFlags() {
    }

    public static final int FIN = 0x01;
    public static final int SYN = 0x02;
    public static final int RST = 0x04;
    public static final int PSH = 0x08;
    public static final int ACK = 0x10;
    public static final int URG = 0x20;
}
