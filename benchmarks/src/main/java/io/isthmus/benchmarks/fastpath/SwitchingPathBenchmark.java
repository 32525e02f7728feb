package io.isthmus.benchmarks.fastpath;

import io.isthmus.fastpath.frame.FrameMemory;
import io.isthmus.fastpath.frame.FramePool;
import io.isthmus.fastpath.packet.EthernetDescriptor;
import io.isthmus.fastpath.packet.InternetChecksum;
import io.isthmus.fastpath.packet.Ipv4Address;
import io.isthmus.fastpath.packet.Ipv4Flyweight;
import io.isthmus.fastpath.packet.MacAddress;
import io.isthmus.fastpath.packet.NetworkOrder;
import io.isthmus.fastpath.packet.UdpFlyweight;
import io.isthmus.fastpath.pipeline.DropReason;
import io.isthmus.fastpath.pipeline.PacketBatch;
import io.isthmus.fastpath.pipeline.Pipeline;
import io.isthmus.fastpath.pipeline.PipelineContext;
import io.isthmus.fastpath.pipeline.RouteTable;
import io.isthmus.fastpath.pipeline.RouteTableRef;
import io.isthmus.fastpath.port.InMemoryPort;
import io.isthmus.fastpath.port.Port;
import io.isthmus.fastpath.stage.TransmitStage;
import io.isthmus.fastpath.worker.Worker;
import org.agrona.concurrent.SystemNanoClock;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;

/**
 * ns per packet of the switching path at batch 64 over in-memory ports: routed UDP, 60-byte frames
 * (64 on the wire with the FCS), between two pods on two ports, both directions taking turns. One
 * benchmark operation is one packet ({@code @OperationsPerInvocation(64)}, one duty cycle = one
 * full batch). ARP is not in the measured path (pod MACs are learned during setup).
 *
 * <p>{@code portsOnly} runs the same ports and duty cycle with a pipeline that only transmits
 * (each frame back out of its ingress port): the cost of the in-memory port itself (generator copy
 * of the template frame, pool, TX ring), to compare side by side.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class SwitchingPathBenchmark {
    public static final int FRAME_LENGTH = 60;
    static final long SWITCH_MAC_0 = MacAddress.parse("02:00:00:00:00:01");
    static final long SWITCH_MAC_1 = MacAddress.parse("02:00:00:00:00:02");
    static final long POD_MAC_A = MacAddress.parse("0a:00:00:00:00:0a");
    static final long POD_MAC_B = MacAddress.parse("0a:00:00:00:00:0b");
    static final int POD_A = Ipv4Address.parse("10.244.1.2");
    static final int POD_B = Ipv4Address.parse("10.244.1.3");

    private Arena arena;
    private Worker switching;
    private Worker portsOnly;

    @Setup(Level.Trial)
    public void setUp() {
        arena = Arena.ofShared();
        final RouteTableRef routes = new RouteTableRef(
                RouteTable.builder(1).port(0, SWITCH_MAC_0, POD_A).port(1, SWITCH_MAC_1, POD_B).build());
        final MemorySegment aToB = udpFrame(arena, SWITCH_MAC_0, POD_MAC_A, POD_A, POD_B);
        final MemorySegment bToA = udpFrame(arena, SWITCH_MAC_1, POD_MAC_B, POD_B, POD_A);

        final FramePool pool = new FramePool(FrameMemory.allocate(arena, 1024, 2048));
        final Port[] ports = generatorPorts(pool, aToB, bToA);
        switching = Worker.switching("bench", ports, pool, routes, new SystemNanoClock());
        for (int cycle = 0; cycle < 4; cycle++) { // learn both pod MACs from their first frames
            switching.doWork();
        }
        if (switching.drops().total() != switching.drops().get(DropReason.NEIGHBOR_UNKNOWN)) {
            throw new IllegalStateException("unexpected drops in warm-up: " + switching.drops().total());
        }

        final FramePool loopPool = new FramePool(FrameMemory.allocate(arena, 1024, 2048));
        final Port[] loopPorts = generatorPorts(loopPool, aToB, bToA);
        final PipelineContext loopContext = new PipelineContext(loopPorts, loopPool, routes, Worker.ARP_REQUEST_INTERVAL_NS);
        final Pipeline loopback = new Pipeline(batch -> {
            for (int i = 0; i < batch.size(); i++) {
                batch.egressPort[i] = batch.ingressPort[i];
            }
            return batch.size();
        }, new TransmitStage(loopContext));
        portsOnly = new Worker("ports-only", loopPorts, loopContext, loopback, new SystemNanoClock());
    }

    private static Port[] generatorPorts(FramePool pool, MemorySegment aToB, MemorySegment bToA) {
        final InMemoryPort port0 = new InMemoryPort(0, "pod-a", pool, 16, PacketBatch.CAPACITY);
        final InMemoryPort port1 = new InMemoryPort(1, "pod-b", pool, 16, PacketBatch.CAPACITY);
        port0.generate(aToB, FRAME_LENGTH);
        port1.generate(bToA, FRAME_LENGTH);
        port0.discardTransmitted(true);
        port1.discardTransmitted(true);
        return new Port[]{port0, port1};
    }

    /** Ethernet + IPv4 + UDP from port 40000 to 5000 with 18 bytes of data: 60 bytes, checksums valid. */
    static MemorySegment udpFrame(Arena arena, long dstMac, long srcMac, int srcIp, int dstIp) {
        return udpFrame(arena, dstMac, srcMac, srcIp, dstIp, VarySourcePort.FIRST_SOURCE_PORT, 5000);
    }

    /** Ethernet + IPv4 + UDP with 18 bytes of data: 60 bytes, checksums valid. */
    public static MemorySegment udpFrame(Arena arena, long dstMac, long srcMac, int srcIp, int dstIp, int srcPort, int dstPort) {
        final MemorySegment frame = arena.allocate(FRAME_LENGTH);
        NetworkOrder.putMac(frame, 0, dstMac);
        NetworkOrder.putMac(frame, 6, srcMac);
        NetworkOrder.putU16(frame, 12, EthernetDescriptor.ETHER_TYPE_IPV4);
        final Ipv4Flyweight ip = new Ipv4Flyweight().wrap(frame, 14, FRAME_LENGTH - 14);
        ip.versionAndIhl(4, 5).tos(0).totalLength(FRAME_LENGTH - 14).identification(1).flagsAndFragmentOffset(0x4000)
                .ttl(64).protocol(17).src(srcIp).dst(dstIp).updateChecksum();
        final UdpFlyweight udp = new UdpFlyweight().wrap(frame, 34, FRAME_LENGTH - 34);
        udp.srcPort(srcPort).dstPort(dstPort).udpLength(FRAME_LENGTH - 34)
                .updateChecksum(InternetChecksum.pseudoHeaderSumIpv4(srcIp, dstIp, 17, FRAME_LENGTH - 34));
        return frame;
    }

    @Benchmark
    @OperationsPerInvocation(PacketBatch.CAPACITY)
    public int switching() {
        return switching.doWork();
    }

    @Benchmark
    @OperationsPerInvocation(PacketBatch.CAPACITY)
    public int portsOnly() {
        return portsOnly.doWork();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (switching.drops().total() != switching.drops().get(DropReason.NEIGHBOR_UNKNOWN)) {
            throw new IllegalStateException("switching path dropped packets: " + switching.drops().total());
        }
        switching.onClose();
        portsOnly.onClose();
        arena.close();
    }
}
