package io.isthmus.fastpath.gso;

import io.isthmus.fastpath.testing.TestFrames;

import java.nio.ByteBuffer;
import java.util.Random;

/**
 * Test frames as a pod with offloads on sends them: IPv4 TCP/UDP whose checksum field holds only
 * the pseudo-header sum (CHECKSUM_PARTIAL), built byte by byte here, independently of the code under
 * test; and the independent checks of what comes out.
 */
final class SuperPackets {
    static final long DST_MAC = 0x02_00_00_00_00_0BL;
    static final long SRC_MAC = 0x02_00_00_00_00_0AL;
    static final int SRC_IP = 0x0A_D4_00_02;
    static final int DST_IP = 0x0A_D4_00_03;
    static final int ETH = 14;

    private SuperPackets() {
    }

    /** Ones' complement pseudo-header sum, folded, not complemented: what a partial checksum field holds. */
    static int foldedPseudo(int src, int dst, int protocol, int l4Bytes) {
        long sum = (src >>> 16) + (src & 0xFFFF) + (dst >>> 16) + (dst & 0xFFFF) + protocol + l4Bytes;
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return (int) sum;
    }

    static long pseudoSum(int src, int dst, int protocol, int l4Bytes) {
        return (long) (src >>> 16) + (src & 0xFFFF) + (dst >>> 16) + (dst & 0xFFFF) + protocol + l4Bytes;
    }

    /**
     * An Ethernet + IPv4 (IHL 5, DF, id {@code ipId}) + TCP frame with a 12-byte timestamp option
     * (header 32 bytes), {@code payload}, flags {@code flags}, and a PARTIAL checksum.
     */
    static byte[] partialTcpFrame(long sequence, int flags, int ipId, byte[] payload) {
        final int tcpBytes = 32 + payload.length;
        final ByteBuffer f = ByteBuffer.allocate(ETH + 20 + tcpBytes);
        putMac(f, DST_MAC);
        putMac(f, SRC_MAC);
        f.putShort((short) 0x0800);
        f.put((byte) 0x45).put((byte) 0).putShort((short) (20 + tcpBytes)).putShort((short) ipId).putShort((short) 0x4000)
                .put((byte) 64).put((byte) 6).putShort((short) 0).putInt(SRC_IP).putInt(DST_IP);
        f.putShort((short) 40000).putShort((short) 5201).putInt((int) sequence).putInt(0x01020304)
                .put((byte) (8 << 4)).put((byte) flags).putShort((short) 502)
                .putShort((short) foldedPseudo(SRC_IP, DST_IP, 6, tcpBytes)).putShort((short) 0);
        f.put((byte) 1).put((byte) 1).put((byte) 8).put((byte) 10).putInt(0x11223344).putInt(0x55667788); // NOP NOP TS
        f.put(payload);
        final byte[] bytes = f.array();
        final int ipSum = TestFrames.checksum(bytes, ETH, 20, 0);
        bytes[ETH + 10] = (byte) (ipSum >>> 8);
        bytes[ETH + 11] = (byte) ipSum;
        return bytes;
    }

    /** A UDP frame with a PARTIAL checksum. */
    static byte[] partialUdpFrame(byte[] payload) {
        final int udpBytes = 8 + payload.length;
        final ByteBuffer f = ByteBuffer.allocate(ETH + 20 + udpBytes);
        putMac(f, DST_MAC);
        putMac(f, SRC_MAC);
        f.putShort((short) 0x0800);
        f.put((byte) 0x45).put((byte) 0).putShort((short) (20 + udpBytes)).putShort((short) 7).putShort((short) 0x4000)
                .put((byte) 64).put((byte) 17).putShort((short) 0).putInt(SRC_IP).putInt(DST_IP);
        f.putShort((short) 5353).putShort((short) 53).putShort((short) udpBytes)
                .putShort((short) foldedPseudo(SRC_IP, DST_IP, 17, udpBytes));
        f.put(payload);
        final byte[] bytes = f.array();
        final int ipSum = TestFrames.checksum(bytes, ETH, 20, 0);
        bytes[ETH + 10] = (byte) (ipSum >>> 8);
        bytes[ETH + 11] = (byte) ipSum;
        return bytes;
    }

    /** True when the IPv4 header and the TCP/UDP checksum of {@code frame} verify (byte-wise RFC 1071). */
    static boolean checksumsVerify(byte[] frame) {
        final int ihl = (frame[ETH] & 0x0F) * 4;
        if (TestFrames.checksum(frame, ETH, ihl, 0) != 0) {
            return false;
        }
        final int totalLength = u16(frame, ETH + 2);
        final int protocol = frame[ETH + 9] & 0xFF;
        final int l4Bytes = totalLength - ihl;
        return TestFrames.checksum(frame, ETH + ihl, l4Bytes, pseudoSum(SRC_IP, DST_IP, protocol, l4Bytes)) == 0;
    }

    static byte[] randomPayload(int bytes, long seed) {
        final byte[] payload = new byte[bytes];
        new Random(seed).nextBytes(payload);
        return payload;
    }

    static int u16(byte[] b, int at) {
        return (b[at] & 0xFF) << 8 | (b[at + 1] & 0xFF);
    }

    static long u32(byte[] b, int at) {
        return ((long) u16(b, at) << 16 | u16(b, at + 2)) & 0xFFFF_FFFFL;
    }

    private static void putMac(ByteBuffer b, long mac) {
        for (int shift = 40; shift >= 0; shift -= 8) {
            b.put((byte) (mac >>> shift));
        }
    }
}
