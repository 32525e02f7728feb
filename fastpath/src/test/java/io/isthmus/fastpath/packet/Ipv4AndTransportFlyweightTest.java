package io.isthmus.fastpath.packet;

import io.isthmus.fastpath.testing.TestFrames;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class Ipv4AndTransportFlyweightTest {
    static final int A = Ipv4Address.parse("10.244.1.2");
    static final int B = Ipv4Address.parse("10.244.1.3");

    @Test
    void ipv4FieldsAndTtlDecrementKeepTheChecksumRight() {
        final byte[] datagram = TestFrames.ipv4(A, B, 64, 17, 0x1234, new byte[12]);
        final MemorySegment segment = Segments.at(datagram);
        final Ipv4Flyweight ip = new Ipv4Flyweight().wrap(segment, Segments.BASE, datagram.length);
        assertEquals(4, ip.version());
        assertEquals(5, ip.ihl());
        assertEquals(32, ip.totalLength());
        assertEquals(0x1234, ip.identification());
        assertFalse(ip.isFragment());
        assertEquals(64, ip.ttl());
        assertEquals(17, ip.protocol());
        assertEquals(A, ip.src());
        assertEquals(B, ip.dst());
        assertTrue(ip.isChecksumValid());

        ip.decrementTtl();
        final byte[] expected = TestFrames.ipv4(A, B, 63, 17, 0x1234, new byte[12]);
        assertArrayEquals(expected, Segments.bytes(segment, datagram.length));

        final int c = Ipv4Address.parse("192.168.7.9");
        assertEquals(B, ip.dstUpdatingChecksum(c));
        assertEquals(A, ip.srcUpdatingChecksum(B));
        assertArrayEquals(TestFrames.ipv4(B, c, 63, 17, 0x1234, new byte[12]), Segments.bytes(segment, datagram.length));

        ip.flagsAndFragmentOffset(Ipv4Descriptor.FLAG_MORE_FRAGMENTS);
        assertTrue(ip.isFragment());
        ip.flagsAndFragmentOffset(Ipv4Descriptor.FLAG_DONT_FRAGMENT | 3);
        assertTrue(ip.isFragment());
    }

    @Test
    void udpChecksumMatchesAnIndependentComputationAndFollowsPortRewrites() {
        final byte[] data = "hello isthmus, odd length".getBytes();
        final byte[] udpBytes = TestFrames.udp(A, B, 40000, 53, data);
        final MemorySegment segment = Segments.at(udpBytes);
        final UdpFlyweight udp = new UdpFlyweight().wrap(segment, Segments.BASE, udpBytes.length);
        assertEquals(40000, udp.srcPort());
        assertEquals(53, udp.dstPort());
        assertEquals(8 + data.length, udp.udpLength());
        final long pseudo = InternetChecksum.pseudoHeaderSumIpv4(A, B, 17, udpBytes.length);
        assertTrue(udp.isChecksumValid(pseudo));
        final int expected = udp.checksum();
        udp.updateChecksum(pseudo);
        assertEquals(expected, udp.checksum());

        udp.dstPort(5353).adjustChecksum16(53, 5353);
        assertArrayEquals(TestFrames.udp(A, B, 40000, 5353, data), Segments.bytes(segment, udpBytes.length));
        final int c = Ipv4Address.parse("10.96.0.10");
        udp.adjustChecksum32(B, c); // destination NAT: the pseudo-header changed
        assertArrayEquals(TestFrames.udp(A, c, 40000, 5353, data), Segments.bytes(segment, udpBytes.length));

        udp.checksum(0);
        assertTrue(udp.isChecksumValid(pseudo), "0 means no checksum over IPv4");
    }

    @Test
    void tcpFieldsAndChecksum() {
        final byte[] data = new byte[1001];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (i * 7);
        }
        final int flags = TcpDescriptor.FLAG_ACK | TcpDescriptor.FLAG_PSH;
        final byte[] tcpBytes = TestFrames.tcp(A, B, 34567, 80, 0xFFFF_FFF0L, 42, flags, 65535, data);
        final MemorySegment segment = Segments.at(tcpBytes);
        final TcpFlyweight tcp = new TcpFlyweight().wrap(segment, Segments.BASE, tcpBytes.length);
        assertTrue(tcp.isComplete());
        assertEquals(34567, tcp.srcPort());
        assertEquals(80, tcp.dstPort());
        assertEquals(0xFFFF_FFF0L, tcp.sequence());
        assertEquals(42, tcp.acknowledgment());
        assertEquals(20, tcp.headerLengthBytes());
        assertEquals(flags, tcp.flags());
        assertEquals(65535, tcp.window());
        assertEquals(data.length, tcp.payloadLength());
        final long pseudo = InternetChecksum.pseudoHeaderSumIpv4(A, B, 6, tcpBytes.length);
        assertTrue(tcp.isChecksumValid(pseudo));
        final int expected = tcp.checksum();
        tcp.updateChecksum(pseudo);
        assertEquals(expected, tcp.checksum());
        tcp.srcPort(1000).adjustChecksum16(34567, 1000);
        assertArrayEquals(TestFrames.tcp(A, B, 1000, 80, 0xFFFF_FFF0L, 42, flags, 65535, data),
                Segments.bytes(segment, tcpBytes.length));
        tcp.headerLengthBytes(16);
        assertFalse(tcp.isComplete());
    }

    @Test
    void icmpEchoChecksumAndRequestToReplyUpdate() {
        final byte[] icmpBytes = TestFrames.icmpEcho(8, 0x4242, 7, new byte[]{1, 2, 3, 4, 5});
        final MemorySegment segment = Segments.at(icmpBytes);
        final Icmpv4Flyweight icmp = new Icmpv4Flyweight().wrap(segment, Segments.BASE, icmpBytes.length);
        assertEquals(Icmpv4Descriptor.TYPE_ECHO_REQUEST, icmp.type());
        assertEquals(0, icmp.code());
        assertEquals(0x4242, icmp.identifier());
        assertEquals(7, icmp.sequence());
        assertTrue(icmp.isChecksumValid());
        icmp.type(Icmpv4Descriptor.TYPE_ECHO_REPLY).adjustChecksum16(0x0800, 0x0000);
        assertArrayEquals(TestFrames.icmpEcho(0, 0x4242, 7, new byte[]{1, 2, 3, 4, 5}), Segments.bytes(segment, icmpBytes.length));
    }

    @Test
    void knownGoodIcmpEchoFromACapture() {
        // "ping -c1 127.0.0.1"-style echo request, identifier 0x0001, sequence 1, payload "abcdefghijklmnopqrstuvwabcdefghi"
        // (the Windows ping payload); checksum 0x4d5a as carried on the wire.
        final byte[] icmpBytes = Segments.hex("08004d5a00010001" + "6162636465666768696a6b6c6d6e6f7071727374757677616263646566676869");
        final Icmpv4Flyweight icmp = new Icmpv4Flyweight().wrap(Segments.at(icmpBytes), Segments.BASE, icmpBytes.length);
        assertTrue(icmp.isChecksumValid());
    }
}
