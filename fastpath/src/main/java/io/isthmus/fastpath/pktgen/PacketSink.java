package io.isthmus.fastpath.pktgen;

import io.isthmus.fastpath.frame.FramePool;
import io.isthmus.fastpath.packet.EthernetFlyweight;
import io.isthmus.fastpath.packet.Ipv4Flyweight;
import io.isthmus.fastpath.packet.UdpFlyweight;
import io.isthmus.fastpath.pipeline.PacketBatch;
import io.isthmus.fastpath.port.Port;

/**
 * The receiving side of {@code isthmus pktgen --rx}: counts the frames that arrive on a port
 * (all of them, or only IPv4 UDP/TCP to one destination port) and gives them straight back, so
 * nothing reaches the pod's kernel. It remembers when the first and the last counted frame came,
 * so the rate is taken over the time traffic actually flowed.
 *
 * <p>No allocation, no exception, no lock per cycle.
 * <p><b>Thread-safety:</b> one thread calls {@link #doWork}; the counters are volatile for a
 * reporting thread.
 */
public final class PacketSink {
    private static final int ETHERTYPE_IPV4 = 0x0800;
    private static final int PROTO_TCP = 6;
    private static final int PROTO_UDP = 17;

    private final Port port;
    private final FramePool pool;
    private final int dstPort;
    private final PacketBatch batch;
    private final EthernetFlyweight ethernet = new EthernetFlyweight();
    private final Ipv4Flyweight ip = new Ipv4Flyweight();
    private final UdpFlyweight ports = new UdpFlyweight(); // UDP and TCP both start with the two ports
    private volatile long packets;
    private volatile long bytes;
    private volatile long firstNs;
    private volatile long packetsAtFirst;
    private volatile long lastNs;

    /** {@code dstPort} 0 counts every frame. */
    public PacketSink(Port port, FramePool pool, int dstPort) {
        this.port = port;
        this.pool = pool;
        this.dstPort = dstPort;
        this.batch = new PacketBatch(pool.memory());
    }

    /** One cycle: counts what arrived and gives the frames back; returns the frames that arrived (for the idle strategy). */
    public int doWork(long nowNs) {
        batch.clear();
        final int arrived = port.receive(batch);
        long counted = 0;
        long countedBytes = 0;
        for (int i = 0; i < arrived; i++) {
            if (matches(batch.address[i], batch.length[i])) {
                counted++;
                countedBytes += batch.length[i];
            }
            pool.release(batch.address[i]);
        }
        if (counted > 0) {
            if (packets == 0) {
                firstNs = nowNs;
                packetsAtFirst = counted;
            }
            lastNs = nowNs;
            packets += counted;
            bytes += countedBytes;
        }
        port.flush();
        return arrived;
    }

    private boolean matches(long address, int length) {
        if (dstPort == 0) {
            return true;
        }
        ethernet.wrap(batch.segment(), address, length);
        if (!ethernet.isComplete() || ethernet.etherType() != ETHERTYPE_IPV4) {
            return false;
        }
        final long ipAt = address + ethernet.payloadOffset();
        ip.wrap(batch.segment(), ipAt, (int) (length - ethernet.payloadOffset()));
        if (ip.availableBytes() < 20 || (ip.protocol() != PROTO_UDP && ip.protocol() != PROTO_TCP) || ip.isFragment()) {
            return false;
        }
        final int l4Bytes = ip.availableBytes() - ip.headerLengthBytes();
        if (l4Bytes < 8) {
            return false;
        }
        ports.wrap(batch.segment(), ipAt + ip.headerLengthBytes(), l4Bytes);
        return ports.dstPort() == dstPort;
    }

    public long packets() {
        return packets;
    }

    public long bytes() {
        return bytes;
    }

    /** Packets a second between the first and the last cycle that counted any (0 before two such cycles). */
    public double ratePps() {
        final long span = lastNs - firstNs;
        return span <= 0 ? 0 : (packets - packetsAtFirst) * 1e9 / span;
    }
}
