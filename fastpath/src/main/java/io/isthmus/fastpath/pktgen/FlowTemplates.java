package io.isthmus.fastpath.pktgen;

import io.isthmus.fastpath.packet.EthernetFlyweight;
import io.isthmus.fastpath.packet.InternetChecksum;
import io.isthmus.fastpath.packet.Ipv4Flyweight;
import io.isthmus.fastpath.packet.TcpFlyweight;
import io.isthmus.fastpath.packet.UdpFlyweight;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * One ready-to-send frame per flow, with every checksum right, built once before sending starts;
 * the generator copies a template into a UMEM frame per packet (a few dozen bytes) rather than
 * building it.
 *
 * <pre>
 *   flow f at offset f * stride:  | Ethernet | IPv4 (TTL 64, DF) | UDP or TCP SYN | zero padding |
 * </pre>
 *
 * <p><b>Thread-safety:</b> immutable after construction; read by the generator thread.
 */
public final class FlowTemplates {
    private static final int ETHERNET_BYTES = 14;
    private static final int IPV4_BYTES = 20;
    private static final int TCP_BYTES = 20;
    private static final int PROTO_TCP = 6;
    private static final int PROTO_UDP = 17;
    private static final int TCP_SYN = 0x02;

    private final MemorySegment templates;
    private final int stride;
    private final int flows;
    private final int wireBytes;

    public FlowTemplates(Arena arena, PktgenConfig config) {
        this.flows = config.flows();
        this.wireBytes = config.wireBytes();
        this.stride = (wireBytes + 63) & ~63;
        this.templates = arena.allocate((long) stride * flows, 64);
        final EthernetFlyweight ethernet = new EthernetFlyweight();
        final Ipv4Flyweight ip = new Ipv4Flyweight();
        final UdpFlyweight udp = new UdpFlyweight();
        final TcpFlyweight tcp = new TcpFlyweight();
        for (int flow = 0; flow < flows; flow++) {
            final long at = (long) flow * stride;
            ethernet.wrap(templates, at, wireBytes).dstMac(config.dstMac()).srcMac(config.srcMac()).outerEtherType(0x0800);
            final int l4Bytes = config.protocol() == PktgenConfig.Protocol.UDP ? wireBytes - ETHERNET_BYTES - IPV4_BYTES : TCP_BYTES;
            ip.wrap(templates, at + ETHERNET_BYTES, wireBytes - ETHERNET_BYTES)
                    .versionAndIhl(4, 5).tos(0).totalLength(IPV4_BYTES + l4Bytes).identification(flow)
                    .flagsAndFragmentOffset(0x4000).ttl(64)
                    .protocol(config.protocol() == PktgenConfig.Protocol.UDP ? PROTO_UDP : PROTO_TCP)
                    .src(config.srcIp()).dst(config.dstIp()).checksum(0);
            ip.checksum(InternetChecksum.compute(templates, at + ETHERNET_BYTES, IPV4_BYTES));
            final long l4At = at + ETHERNET_BYTES + IPV4_BYTES;
            final int srcPort = config.srcPortBase() + flow;
            final long pseudo = InternetChecksum.pseudoHeaderSumIpv4(config.srcIp(), config.dstIp(),
                    config.protocol() == PktgenConfig.Protocol.UDP ? PROTO_UDP : PROTO_TCP, l4Bytes);
            if (config.protocol() == PktgenConfig.Protocol.UDP) {
                udp.wrap(templates, l4At, l4Bytes).srcPort(srcPort).dstPort(config.dstPort())
                        .udpLength(l4Bytes).checksum(0).updateChecksum(pseudo);
            } else {
                tcp.wrap(templates, l4At, l4Bytes).srcPort(srcPort).dstPort(config.dstPort())
                        .sequence(0x1000_0000L + flow).acknowledgment(0).headerLengthBytes(TCP_BYTES).flags(TCP_SYN)
                        .window(65_535).checksum(0).updateChecksum(pseudo);
            }
        }
    }

    public int flows() {
        return flows;
    }

    public int wireBytes() {
        return wireBytes;
    }

    /** Copies flow {@code flow}'s frame to {@code destination} at {@code offset}. */
    public void copyTo(int flow, MemorySegment destination, long offset) {
        MemorySegment.copy(templates, (long) flow * stride, destination, offset, wireBytes);
    }

    /** The template of one flow, for tests. */
    public MemorySegment template(int flow) {
        return templates.asSlice((long) flow * stride, wireBytes);
    }
}
