package io.isthmus.fastpath.packet;

import io.isthmus.fastpath.testing.TestFrames;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EthernetAndArpFlyweightTest {
    static final long MAC_A = MacAddress.parse("0a:1b:2c:3d:4e:5f");
    static final long MAC_B = MacAddress.parse("02:00:00:00:00:02");

    @Test
    void readsAndWritesMacsAndEtherTypeInPlace() {
        final byte[] frame = TestFrames.ethernet(MAC_B, MAC_A, 0x0800, new byte[46]);
        final MemorySegment segment = Segments.at(frame);
        final EthernetFlyweight ethernet = new EthernetFlyweight().wrap(segment, Segments.BASE, frame.length);
        assertTrue(ethernet.isComplete());
        assertEquals(MAC_B, ethernet.dstMac());
        assertEquals(MAC_A, ethernet.srcMac());
        assertEquals(0x0800, ethernet.etherType());
        assertFalse(ethernet.hasVlanTag());
        assertEquals(14, ethernet.payloadOffset());

        ethernet.dstMac(MAC_A).srcMac(MAC_B);
        assertArrayEquals(TestFrames.ethernet(MAC_A, MAC_B, 0x0800, new byte[46]), Segments.bytes(segment, frame.length));
    }

    @Test
    void looksThroughOne8021QTag() {
        final byte[] tagged = Segments.hex("ffffffffffff 0a1b2c3d4e5f 8100 a064 0806" + "00".repeat(28));
        final EthernetFlyweight ethernet = new EthernetFlyweight().wrap(Segments.at(tagged), Segments.BASE, tagged.length);
        assertTrue(ethernet.hasVlanTag());
        assertEquals(100, ethernet.vlanId());
        assertEquals(0x0806, ethernet.etherType());
        assertEquals(18, ethernet.payloadOffset());
        assertFalse(new EthernetFlyweight().wrap(Segments.at(tagged), Segments.BASE, 16).isComplete());
        assertFalse(new EthernetFlyweight().wrap(Segments.at(tagged), Segments.BASE, 13).isComplete());
    }

    @Test
    void arpFieldsRoundTrip() {
        final int pod = Ipv4Address.parse("10.244.1.2");
        final int gateway = Ipv4Address.parse("169.254.1.1");
        final byte[] arpBytes = TestFrames.arp(1, MAC_A, pod, 0, gateway);
        final MemorySegment segment = Segments.at(arpBytes);
        final ArpFlyweight arp = new ArpFlyweight().wrap(segment, Segments.BASE, arpBytes.length);
        assertTrue(arp.isEthernetIpv4());
        assertEquals(ArpDescriptor.OPERATION_REQUEST, arp.operation());
        assertEquals(MAC_A, arp.senderMac());
        assertEquals(pod, arp.senderIp());
        assertEquals(0, arp.targetMac());
        assertEquals(gateway, arp.targetIp());

        arp.operation(2).senderMac(MAC_B).senderIp(gateway).targetMac(MAC_A).targetIp(pod);
        assertArrayEquals(TestFrames.arp(2, MAC_B, gateway, MAC_A, pod), Segments.bytes(segment, 28));
        assertFalse(new ArpFlyweight().wrap(segment, Segments.BASE, 27).isEthernetIpv4());
        NetworkOrder.putU16(segment, Segments.BASE, 6); // hardware type IEEE 802
        assertFalse(arp.isEthernetIpv4());
    }

    @Test
    void macAndIpv4TextForms() {
        assertEquals("0a:1b:2c:3d:4e:5f", MacAddress.format(MAC_A));
        assertTrue(MacAddress.isMulticast(MacAddress.BROADCAST));
        assertFalse(MacAddress.isMulticast(MAC_A));
        assertEquals(0x0AF40102, Ipv4Address.parse("10.244.1.2"));
        assertEquals("10.244.1.2", Ipv4Address.format(0x0AF40102));
        assertThrows(IllegalArgumentException.class, () -> MacAddress.parse("0a:1b:2c:3d:4e"));
        assertThrows(IllegalArgumentException.class, () -> Ipv4Address.parse("10.244.1.256"));
    }
}
