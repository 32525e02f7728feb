package io.isthmus.fastpath.testing;

import java.nio.ByteBuffer;

/**
 * Builds whole frames as byte arrays for tests, independently of the flyweights under test: plain
 * {@link ByteBuffer} writes and a byte-at-a-time RFC 1071 checksum ({@link #checksum}).
 */
public final class TestFrames {
    public static final int ETHER_IPV4 = 0x0800;
    public static final int ETHER_ARP = 0x0806;
    public static final int ETHER_IPV6 = 0x86DD;
    public static final int PROTO_ICMP = 1;
    public static final int PROTO_TCP = 6;
    public static final int PROTO_UDP = 17;

    private TestFrames() {
    }

    /** RFC 1071 over bytes, 16 bits at a time, odd byte padded; returns the value to put in the field. */
    public static int checksum(byte[] data, int offset, int length, long initialSum) {
        long sum = initialSum;
        for (int i = 0; i + 1 < length; i += 2) {
            sum += ((data[offset + i] & 0xFF) << 8) | (data[offset + i + 1] & 0xFF);
        }
        if ((length & 1) != 0) {
            sum += (data[offset + length - 1] & 0xFF) << 8;
        }
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return (int) (~sum & 0xFFFF);
    }

    public static byte[] ethernet(long dstMac, long srcMac, int etherType, byte[] payload) {
        final ByteBuffer frame = ByteBuffer.allocate(14 + payload.length);
        putMac(frame, dstMac);
        putMac(frame, srcMac);
        frame.putShort((short) etherType).put(payload);
        return frame.array();
    }

    public static byte[] arp(int operation, long senderMac, int senderIp, long targetMac, int targetIp) {
        final ByteBuffer arp = ByteBuffer.allocate(28);
        arp.putShort((short) 1).putShort((short) 0x0800).put((byte) 6).put((byte) 4).putShort((short) operation);
        putMac(arp, senderMac);
        arp.putInt(senderIp);
        putMac(arp, targetMac);
        arp.putInt(targetIp);
        return arp.array();
    }

    /** A pod's "who-has {@code targetIp} tell {@code senderIp}", broadcast. */
    public static byte[] arpRequestFrame(long senderMac, int senderIp, int targetIp) {
        return ethernet(0xFFFF_FFFF_FFFFL, senderMac, ETHER_ARP, arp(1, senderMac, senderIp, 0, targetIp));
    }

    /** An IPv4 header (IHL 5, DF set, correct checksum) followed by {@code payload}. */
    public static byte[] ipv4(int src, int dst, int ttl, int protocol, int identification, byte[] payload) {
        final ByteBuffer ip = ByteBuffer.allocate(20 + payload.length);
        ip.put((byte) 0x45).put((byte) 0).putShort((short) (20 + payload.length))
                .putShort((short) identification).putShort((short) 0x4000)
                .put((byte) ttl).put((byte) protocol).putShort((short) 0)
                .putInt(src).putInt(dst).put(payload);
        final byte[] bytes = ip.array();
        final int sum = checksum(bytes, 0, 20, 0);
        bytes[10] = (byte) (sum >>> 8);
        bytes[11] = (byte) sum;
        return bytes;
    }

    public static byte[] icmpEcho(int type, int identifier, int sequence, byte[] data) {
        final ByteBuffer icmp = ByteBuffer.allocate(8 + data.length);
        icmp.put((byte) type).put((byte) 0).putShort((short) 0).putShort((short) identifier).putShort((short) sequence).put(data);
        final byte[] bytes = icmp.array();
        final int sum = checksum(bytes, 0, bytes.length, 0);
        bytes[2] = (byte) (sum >>> 8);
        bytes[3] = (byte) sum;
        return bytes;
    }

    public static long pseudoHeaderSum(int src, int dst, int protocol, int length) {
        return (src >>> 16) + (src & 0xFFFF) + (dst >>> 16) + (dst & 0xFFFF) + protocol + length;
    }

    public static byte[] udp(int srcIp, int dstIp, int srcPort, int dstPort, byte[] data) {
        final ByteBuffer udp = ByteBuffer.allocate(8 + data.length);
        udp.putShort((short) srcPort).putShort((short) dstPort).putShort((short) (8 + data.length)).putShort((short) 0).put(data);
        final byte[] bytes = udp.array();
        int sum = checksum(bytes, 0, bytes.length, pseudoHeaderSum(srcIp, dstIp, PROTO_UDP, bytes.length));
        if (sum == 0) {
            sum = 0xFFFF;
        }
        bytes[6] = (byte) (sum >>> 8);
        bytes[7] = (byte) sum;
        return bytes;
    }

    public static byte[] tcp(int srcIp, int dstIp, int srcPort, int dstPort, long sequence, long acknowledgment,
                             int flags, int window, byte[] data) {
        final ByteBuffer tcp = ByteBuffer.allocate(20 + data.length);
        tcp.putShort((short) srcPort).putShort((short) dstPort).putInt((int) sequence).putInt((int) acknowledgment)
                .put((byte) (5 << 4)).put((byte) flags).putShort((short) window).putShort((short) 0).putShort((short) 0)
                .put(data);
        final byte[] bytes = tcp.array();
        final int sum = checksum(bytes, 0, bytes.length, pseudoHeaderSum(srcIp, dstIp, PROTO_TCP, bytes.length));
        bytes[16] = (byte) (sum >>> 8);
        bytes[17] = (byte) sum;
        return bytes;
    }

    public static byte[] ipv4Frame(long dstMac, long srcMac, int srcIp, int dstIp, int ttl, int protocol, byte[] l4) {
        return ethernet(dstMac, srcMac, ETHER_IPV4, ipv4(srcIp, dstIp, ttl, protocol, 0x1234, l4));
    }

    public static byte[] icmpEchoFrame(long dstMac, long srcMac, int srcIp, int dstIp, int ttl, int type, int sequence) {
        final byte[] data = new byte[56];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) i;
        }
        return ipv4Frame(dstMac, srcMac, srcIp, dstIp, ttl, PROTO_ICMP, icmpEcho(type, 0x4242, sequence, data));
    }

    public static byte[] udpFrame(long dstMac, long srcMac, int srcIp, int dstIp, int ttl, int srcPort, int dstPort, byte[] data) {
        return ipv4Frame(dstMac, srcMac, srcIp, dstIp, ttl, PROTO_UDP, udp(srcIp, dstIp, srcPort, dstPort, data));
    }

    /** Frame bytes as the router should emit them: TTL - 1, header checksum recomputed from scratch, MACs replaced. */
    public static byte[] routed(byte[] frame, long newDstMac, long newSrcMac) {
        final byte[] out = frame.clone();
        final ByteBuffer buffer = ByteBuffer.wrap(out);
        putMac(buffer, newDstMac);
        putMac(buffer, newSrcMac);
        out[14 + 8] = (byte) ((out[14 + 8] & 0xFF) - 1);
        out[14 + 10] = 0;
        out[14 + 11] = 0;
        final int sum = checksum(out, 14, 20, 0);
        out[14 + 10] = (byte) (sum >>> 8);
        out[14 + 11] = (byte) sum;
        return out;
    }

    /** An IPv6 header (fe80::1 → fe80::2, next header 59 "no next header") and {@code payloadLength} zero bytes. */
    public static byte[] checksumlessIpv6(int payloadLength) {
        final ByteBuffer ip = ByteBuffer.allocate(40 + payloadLength);
        ip.putInt(0x6000_0000).putShort((short) payloadLength).put((byte) 59).put((byte) 64)
                .putLong(0xFE80_0000_0000_0000L).putLong(1).putLong(0xFE80_0000_0000_0000L).putLong(2);
        return ip.array();
    }

    private static void putMac(ByteBuffer buffer, long mac) {
        buffer.putShort((short) (mac >>> 32)).putInt((int) mac);
    }

    public static String hex(byte[] bytes) {
        final StringBuilder text = new StringBuilder();
        for (byte b : bytes) {
            text.append(String.format("%02x", b & 0xFF));
        }
        return text.toString();
    }
}
