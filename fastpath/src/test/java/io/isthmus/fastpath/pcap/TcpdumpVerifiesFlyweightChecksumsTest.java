package io.isthmus.fastpath.pcap;

import io.isthmus.fastpath.packet.EthernetDescriptor;
import io.isthmus.fastpath.packet.EthernetFlyweight;
import io.isthmus.fastpath.packet.Icmpv4Flyweight;
import io.isthmus.fastpath.packet.Icmpv6Flyweight;
import io.isthmus.fastpath.packet.Ipv4Address;
import io.isthmus.fastpath.packet.Ipv4Flyweight;
import io.isthmus.fastpath.packet.Ipv6Flyweight;
import io.isthmus.fastpath.packet.TcpFlyweight;
import io.isthmus.fastpath.packet.UdpFlyweight;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Checksums computed by the flyweights (full computation and RFC 1624 updates), judged by an
 * implementation we did not write: tcpdump -vv verifies IPv4, ICMP, UDP, TCP and ICMPv6 checksums.
 */
class TcpdumpVerifiesFlyweightChecksumsTest {
    static final int A = Ipv4Address.parse("10.244.1.2");
    static final int B = Ipv4Address.parse("10.244.1.3");
    static final int NAT = Ipv4Address.parse("10.96.0.10");

    @TempDir
    Path dir;

    /** Ethernet + IPv4 header for {@code l4Length} bytes of {@code protocol}; returns the IPv4 flyweight. */
    static Ipv4Flyweight ipv4(MemorySegment frame, int protocol, int l4Length) {
        new EthernetFlyweight().wrap(frame, 0, (int) frame.byteSize())
                .dstMac(0x020000000001L).srcMac(0x0A000000000AL).outerEtherType(EthernetDescriptor.ETHER_TYPE_IPV4);
        final Ipv4Flyweight ip = new Ipv4Flyweight().wrap(frame, 14, 20 + l4Length);
        ip.versionAndIhl(4, 5).tos(0).totalLength(20 + l4Length).identification(77).flagsAndFragmentOffset(0x4000)
                .ttl(64).protocol(protocol).src(A).dst(B).updateChecksum();
        return ip;
    }

    @Test
    void tcpdumpAgreesWithEveryChecksumTheFlyweightsWrite() throws Exception {
        final Path file = dir.resolve("flyweights.pcap");
        try (PcapWriter writer = PcapWriter.create(file)) {
            // UDP, odd payload, then destination NAT by incremental updates (address in IP and pseudo-header, port)
            final MemorySegment udpFrame = MemorySegment.ofArray(new byte[14 + 20 + 8 + 13]);
            final Ipv4Flyweight udpIp = ipv4(udpFrame, 17, 8 + 13);
            final UdpFlyweight udp = new UdpFlyweight().wrap(udpFrame, 34, 8 + 13);
            udp.srcPort(40000).dstPort(53).udpLength(8 + 13);
            udpFrame.asSlice(42, 13).fill((byte) 'q');
            udp.updateChecksum(udpIp.pseudoHeaderSum(8 + 13));
            writer.write(udpFrame, 0, (int) udpFrame.byteSize(), 1_000_000_000L);
            final int old = udpIp.dstUpdatingChecksum(NAT);
            udp.adjustChecksum32(old, NAT);
            udp.dstPort(5353).adjustChecksum16(53, 5353);
            udpIp.decrementTtl();
            writer.write(udpFrame, 0, (int) udpFrame.byteSize(), 1_000_000_000L);

            // TCP with 1000 bytes of data, then source port rewrite
            final MemorySegment tcpFrame = MemorySegment.ofArray(new byte[14 + 20 + 20 + 1000]);
            final Ipv4Flyweight tcpIp = ipv4(tcpFrame, 6, 20 + 1000);
            final TcpFlyweight tcp = new TcpFlyweight().wrap(tcpFrame, 34, 20 + 1000);
            tcp.srcPort(34567).dstPort(80).sequence(0xFFFF_0000L).acknowledgment(1).headerLengthBytes(20)
                    .flags(0x18).window(65535);
            for (int i = 0; i < 1000; i++) {
                tcpFrame.set(java.lang.foreign.ValueLayout.JAVA_BYTE, 54 + i, (byte) (i * 31));
            }
            tcp.updateChecksum(tcpIp.pseudoHeaderSum(20 + 1000));
            writer.write(tcpFrame, 0, (int) tcpFrame.byteSize(), 1_000_000_000L);
            tcp.srcPort(61000).adjustChecksum16(34567, 61000);
            writer.write(tcpFrame, 0, (int) tcpFrame.byteSize(), 1_000_000_000L);

            // ICMP echo request turned into a reply in place
            final MemorySegment icmpFrame = MemorySegment.ofArray(new byte[14 + 20 + 8 + 32]);
            ipv4(icmpFrame, 1, 8 + 32);
            final Icmpv4Flyweight icmp = new Icmpv4Flyweight().wrap(icmpFrame, 34, 8 + 32);
            icmp.type(8).code(0).identifier(0x4242).sequence(9).updateChecksum();
            writer.write(icmpFrame, 0, (int) icmpFrame.byteSize(), 1_000_000_000L);
            icmp.type(0).adjustChecksum16(0x0800, 0x0000);
            writer.write(icmpFrame, 0, (int) icmpFrame.byteSize(), 1_000_000_000L);

            // ICMPv6 echo request fe80::1 -> fe80::2
            final MemorySegment v6Frame = MemorySegment.ofArray(new byte[14 + 40 + 8 + 16]);
            new EthernetFlyweight().wrap(v6Frame, 0, (int) v6Frame.byteSize())
                    .dstMac(0x020000000001L).srcMac(0x0A000000000AL).outerEtherType(EthernetDescriptor.ETHER_TYPE_IPV6);
            final Ipv6Flyweight ip6 = new Ipv6Flyweight().wrap(v6Frame, 14, 40 + 8 + 16);
            ip6.versionClassFlow(0, 0).payloadLength(8 + 16).nextHeader(58).hopLimit(64)
                    .src(0xFE80_0000_0000_0000L, 1).dst(0xFE80_0000_0000_0000L, 2);
            final Icmpv6Flyweight icmp6 = new Icmpv6Flyweight().wrap(v6Frame, 54, 8 + 16);
            icmp6.type(128).code(0);
            v6Frame.set(java.lang.foreign.ValueLayout.JAVA_BYTE, 58, (byte) 0x12);
            icmp6.updateChecksum(ip6.pseudoHeaderSum(8 + 16));
            writer.write(v6Frame, 0, (int) v6Frame.byteSize(), 1_000_000_000L);
        }
        final String output = PcapTcpdump.readVerbose(file);
        assertTrue(output.contains("10.244.1.2.40000 > 10.244.1.3.53"), output);
        assertTrue(output.contains("10.244.1.2.40000 > 10.96.0.10.5353"), output);
        assertTrue(output.contains("ttl 63"), output);
        assertTrue(output.contains("10.244.1.2.61000 > 10.244.1.3.80"), output);
        assertTrue(output.contains("ICMP echo reply"), output);
        assertTrue(output.contains("ICMP6, echo request"), output);
        assertFalse(output.contains("bad cksum"), output);
        assertFalse(output.contains("incorrect"), output);
        assertFalse(output.contains("bad udp cksum"), output);
        assertFalse(output.contains("wrong icmp cksum"), output);
        assertFalse(output.contains("bad icmp6 cksum"), output);
        assertTrue(output.split("udp sum ok", -1).length - 1 == 2, "both UDP frames verified: " + output);
        assertTrue(output.split("\\(correct\\)", -1).length - 1 == 2, "both TCP frames verified: " + output);
        assertTrue(output.contains("icmp6 sum ok"), output);
    }
}
