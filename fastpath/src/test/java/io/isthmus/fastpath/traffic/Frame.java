package io.isthmus.fastpath.traffic;

import io.isthmus.fastpath.testing.TestFrames;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * A received frame taken apart for assertions, with plain {@link ByteBuffer} reads (independent of
 * the flyweights under test). Only what the suite looks at: Ethernet, ARP, IPv4, ICMP/UDP/TCP.
 */
public record Frame(byte[] bytes) {
    public ByteBuffer buffer() {
        return ByteBuffer.wrap(bytes);
    }

    public long dstMac() {
        return ((long) (buffer().getShort(0) & 0xFFFF) << 32) | (buffer().getInt(2) & 0xFFFF_FFFFL);
    }

    public long srcMac() {
        return ((long) (buffer().getShort(6) & 0xFFFF) << 32) | (buffer().getInt(8) & 0xFFFF_FFFFL);
    }

    public int etherType() {
        return bytes.length < 14 ? -1 : buffer().getShort(12) & 0xFFFF;
    }

    public boolean isArp() {
        return etherType() == TestFrames.ETHER_ARP && bytes.length >= 42;
    }

    public int arpOperation() {
        return buffer().getShort(20) & 0xFFFF;
    }

    public long arpSenderMac() {
        return ((long) (buffer().getShort(22) & 0xFFFF) << 32) | (buffer().getInt(24) & 0xFFFF_FFFFL);
    }

    public int arpSenderIp() {
        return buffer().getInt(28);
    }

    public int arpTargetIp() {
        return buffer().getInt(38);
    }

    public boolean isIpv4() {
        return etherType() == TestFrames.ETHER_IPV4 && bytes.length >= 34;
    }

    public int ttl() {
        return bytes[22] & 0xFF;
    }

    public int protocol() {
        return bytes[23] & 0xFF;
    }

    public int srcIp() {
        return buffer().getInt(26);
    }

    public int dstIp() {
        return buffer().getInt(30);
    }

    public int ipTotalLength() {
        return buffer().getShort(16) & 0xFFFF;
    }

    public boolean ipChecksumOk() {
        return TestFrames.checksum(bytes, 14, 20, 0) == 0;
    }

    /** Transport bytes (from the end of the IP header to the end of the datagram). */
    public byte[] l4() {
        return Arrays.copyOfRange(bytes, 34, 14 + ipTotalLength());
    }

    /** ICMP: checksum over the message; UDP/TCP: over pseudo-header and segment. */
    public boolean l4ChecksumOk() {
        final byte[] l4 = l4();
        final long pseudo = protocol() == TestFrames.PROTO_ICMP ? 0
                : TestFrames.pseudoHeaderSum(srcIp(), dstIp(), protocol(), l4.length);
        return TestFrames.checksum(l4, 0, l4.length, pseudo) == 0;
    }

    public int srcPort() {
        return ByteBuffer.wrap(l4()).getShort(0) & 0xFFFF;
    }

    public int dstPort() {
        return ByteBuffer.wrap(l4()).getShort(2) & 0xFFFF;
    }

    public long tcpSequence() {
        return ByteBuffer.wrap(l4()).getInt(4) & 0xFFFF_FFFFL;
    }

    public long tcpAcknowledgment() {
        return ByteBuffer.wrap(l4()).getInt(8) & 0xFFFF_FFFFL;
    }

    public int tcpFlags() {
        return l4()[13] & 0xFF;
    }

    public byte[] tcpPayload() {
        final byte[] l4 = l4();
        final int headerLength = ((l4[12] & 0xFF) >>> 4) * 4;
        return Arrays.copyOfRange(l4, headerLength, l4.length);
    }

    public byte[] udpPayload() {
        final byte[] l4 = l4();
        return Arrays.copyOfRange(l4, 8, l4.length);
    }
}
