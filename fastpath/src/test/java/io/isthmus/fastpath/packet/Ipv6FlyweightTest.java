package io.isthmus.fastpath.packet;

import io.isthmus.fastpath.testing.TestFrames;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class Ipv6FlyweightTest {

    /** fe80::1 -> ff02::1:ff00:2, ICMPv6 neighbor solicitation for fe80::2, checksum by the test's own RFC 1071 code. */
    static byte[] neighborSolicitation() {
        final byte[] icmp = new byte[24];
        final ByteBuffer message = ByteBuffer.wrap(icmp);
        message.put((byte) 135).put((byte) 0).putShort((short) 0).putInt(0)
                .putLong(0xFE80_0000_0000_0000L).putLong(2);
        final ByteBuffer packet = ByteBuffer.allocate(40 + icmp.length);
        packet.putInt(0x6000_0000).putShort((short) icmp.length).put((byte) 58).put((byte) 255)
                .putLong(0xFE80_0000_0000_0000L).putLong(1)
                .putLong(0xFF02_0000_0000_0000L).putLong(0x0000_0001_FF00_0002L);
        final byte[] bytes = packet.put(icmp).array();
        long pseudo = 0;
        for (int i = 8; i < 40; i += 2) {
            pseudo += ((bytes[i] & 0xFF) << 8) | (bytes[i + 1] & 0xFF);
        }
        pseudo += icmp.length + 58;
        final int sum = TestFrames.checksum(bytes, 40, icmp.length, pseudo);
        bytes[42] = (byte) (sum >>> 8);
        bytes[43] = (byte) sum;
        return bytes;
    }

    @Test
    void fixedHeaderFieldsAndIcmpv6Checksum() {
        final byte[] bytes = neighborSolicitation();
        final MemorySegment segment = Segments.at(bytes);
        final Ipv6Flyweight ip = new Ipv6Flyweight().wrap(segment, Segments.BASE, bytes.length);
        assertTrue(ip.isComplete());
        assertEquals(6, ip.version());
        assertEquals(0, ip.trafficClass());
        assertEquals(0, ip.flowLabel());
        assertEquals(24, ip.payloadLength());
        assertEquals(58, ip.nextHeader());
        assertEquals(255, ip.hopLimit());
        assertEquals(0xFE80_0000_0000_0000L, ip.srcHigh());
        assertEquals(1, ip.srcLow());
        assertEquals(0x0000_0001_FF00_0002L, ip.dstLow());

        final Icmpv6Flyweight icmp = new Icmpv6Flyweight().wrap(segment, ip.payloadOffset(), ip.payloadLength());
        assertEquals(Icmpv6Descriptor.TYPE_NEIGHBOR_SOLICITATION, icmp.type());
        assertEquals(2, icmp.ndTargetLow());
        final long pseudo = ip.pseudoHeaderSum(ip.payloadLength());
        assertTrue(icmp.isChecksumValid(pseudo));
        final int expected = icmp.checksum();
        icmp.updateChecksum(pseudo);
        assertEquals(expected, icmp.checksum());

        ip.versionClassFlow(0xB8, 0xABCDE);
        assertEquals(6, ip.version());
        assertEquals(0xB8, ip.trafficClass());
        assertEquals(0xABCDE, ip.flowLabel());
        ip.payloadLength(100);
        assertFalse(ip.isComplete());
    }
}
