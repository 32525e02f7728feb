package io.isthmus.fastpath.testing;

import io.isthmus.fastpath.packet.MacAddress;

/**
 * Frames for the flow tests, built field by field with checksums computed from scratch (so a
 * test that compares the fast path's incrementally patched output with these checks RFC 1624
 * arithmetic against the definition). Pods send to the switch MAC of their port.
 */
public final class FlowFrames {
    public static final int SYN = 0x02;
    public static final int RST = 0x04;
    public static final int ACK = 0x10;
    public static final int SYN_ACK = 0x12;
    public static final int PSH_ACK = 0x18;

    private FlowFrames() {
    }

    public static byte[] tcp(long dstMac, long srcMac, int src, int srcPort, int dst, int dstPort, long seq, long ack,
                             int flags, byte[] data) {
        return TestFrames.ipv4Frame(dstMac, srcMac, src, dst, 64, TestFrames.PROTO_TCP,
                TestFrames.tcp(src, dst, srcPort, dstPort, seq, ack, flags, 65535, data));
    }

    public static byte[] udp(long dstMac, long srcMac, int src, int srcPort, int dst, int dstPort, byte[] data) {
        return TestFrames.udpFrame(dstMac, srcMac, src, dst, 64, srcPort, dstPort, data);
    }

    /** The TCP RST the fast path answers a refused segment with (before routing: TTL 64, id 0, DF). */
    public static byte[] reset(long dstMac, long srcMac, int src, int srcPort, int dst, int dstPort, long seq, long ack, int flags) {
        final byte[] tcp = TestFrames.tcp(src, dst, srcPort, dstPort, seq, ack, flags, 0, new byte[0]);
        return TestFrames.ethernet(dstMac, srcMac, TestFrames.ETHER_IPV4, TestFrames.ipv4(src, dst, 64, TestFrames.PROTO_TCP, 0, tcp));
    }

    /** ICMP port unreachable from {@code src} to {@code dst} quoting {@code refused}'s IP header and 8 payload bytes (no DF). */
    public static byte[] portUnreachable(long dstMac, long srcMac, int src, int dst, byte[] refusedFrame) {
        final byte[] icmp = new byte[8 + 28];
        icmp[0] = 3;
        icmp[1] = 3;
        System.arraycopy(refusedFrame, 14, icmp, 8, 28);
        final int sum = TestFrames.checksum(icmp, 0, icmp.length, 0);
        icmp[2] = (byte) (sum >>> 8);
        icmp[3] = (byte) sum;
        final byte[] ip = TestFrames.ipv4(src, dst, 64, TestFrames.PROTO_ICMP, 0, icmp);
        ip[6] = 0; // no DF on ICMP errors
        ip[10] = 0;
        ip[11] = 0;
        final int ipSum = TestFrames.checksum(ip, 0, 20, 0);
        ip[10] = (byte) (ipSum >>> 8);
        ip[11] = (byte) ipSum;
        return TestFrames.ethernet(dstMac, srcMac, TestFrames.ETHER_IPV4, ip);
    }

    public static long mac(String text) {
        return MacAddress.parse(text);
    }
}
