package io.isthmus.benchmarks.fastpath;

import io.isthmus.fastpath.frame.FrameMemory;
import io.isthmus.fastpath.frame.FramePool;
import io.isthmus.fastpath.packet.Ipv4Address;
import io.isthmus.fastpath.packet.MacAddress;
import io.isthmus.fastpath.pipeline.DropReason;
import io.isthmus.fastpath.pipeline.PacketBatch;
import io.isthmus.fastpath.pipeline.RouteTable;
import io.isthmus.fastpath.pipeline.RouteTableRef;
import io.isthmus.fastpath.port.InMemoryPort;
import io.isthmus.fastpath.port.Port;
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
 * What the host port costs the switching path, side by side in one run (ns per packet, batch 64,
 * 60-byte UDP over in-memory ports, as {@link SwitchingPathBenchmark}):
 * <ul>
 *   <li>{@code podToPod}: two pods, a table without a host port (the baseline);</li>
 *   <li>{@code podToPodWithHostPort}: the same traffic, the table has a host port (the default
 *       route is looked at but never taken): must cost the same;</li>
 *   <li>{@code podToNodeAndBack}: pod A sends to the node's address (no pod /32: the default route
 *       out of the host port, the host's MAC learned from its own frames) and the node sends to pod A.</li>
 * </ul>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class HostPortBenchmark {
    static final long SWITCH_MAC_HOST = MacAddress.parse("02:00:00:00:00:03");
    static final long HOST_MAC = MacAddress.parse("0e:00:00:00:00:99");
    static final int NODE_IP = Ipv4Address.parse("192.168.7.10");

    private Arena arena;
    private Worker podToPod;
    private Worker podToPodWithHostPort;
    private Worker podToNodeAndBack;

    @Setup(Level.Trial)
    public void setUp() {
        arena = Arena.ofShared();
        final MemorySegment aToB = SwitchingPathBenchmark.udpFrame(arena, SwitchingPathBenchmark.SWITCH_MAC_0,
                SwitchingPathBenchmark.POD_MAC_A, SwitchingPathBenchmark.POD_A, SwitchingPathBenchmark.POD_B);
        final MemorySegment bToA = SwitchingPathBenchmark.udpFrame(arena, SwitchingPathBenchmark.SWITCH_MAC_1,
                SwitchingPathBenchmark.POD_MAC_B, SwitchingPathBenchmark.POD_B, SwitchingPathBenchmark.POD_A);
        final MemorySegment aToNode = SwitchingPathBenchmark.udpFrame(arena, SwitchingPathBenchmark.SWITCH_MAC_0,
                SwitchingPathBenchmark.POD_MAC_A, SwitchingPathBenchmark.POD_A, NODE_IP);
        final MemorySegment nodeToA = SwitchingPathBenchmark.udpFrame(arena, SWITCH_MAC_HOST, HOST_MAC, NODE_IP,
                SwitchingPathBenchmark.POD_A);

        final RouteTable podsOnly = RouteTable.builder(1).port(0, SwitchingPathBenchmark.SWITCH_MAC_0, SwitchingPathBenchmark.POD_A)
                .port(1, SwitchingPathBenchmark.SWITCH_MAC_1, SwitchingPathBenchmark.POD_B).build();
        final RouteTable withHost = RouteTable.builder(1).port(0, SwitchingPathBenchmark.SWITCH_MAC_0, SwitchingPathBenchmark.POD_A)
                .port(1, SwitchingPathBenchmark.SWITCH_MAC_1, SwitchingPathBenchmark.POD_B).hostPort(2, SWITCH_MAC_HOST).build();
        podToPod = worker("pod-to-pod", podsOnly, aToB, bToA, null);
        podToPodWithHostPort = worker("pod-to-pod-host-port", withHost, aToB, bToA, null);
        podToNodeAndBack = worker("pod-to-node", withHost, aToNode, null, nodeToA);
    }

    /** A switching worker over ports 0 (pod A), 1 (pod B) and, for a table with one, 2 (the host); null: that port sends nothing. */
    private Worker worker(String name, RouteTable table, MemorySegment fromA, MemorySegment fromB, MemorySegment fromHost) {
        final FramePool pool = new FramePool(FrameMemory.allocate(arena, 1024, 2048));
        final int portCount = table.portCount();
        final Port[] ports = new Port[portCount];
        final MemorySegment[] templates = {fromA, fromB, fromHost};
        for (int id = 0; id < portCount; id++) {
            final InMemoryPort port = new InMemoryPort(id, name + "-" + id, pool, 16, PacketBatch.CAPACITY);
            if (templates[id] != null) {
                port.generate(templates[id], SwitchingPathBenchmark.FRAME_LENGTH);
            }
            port.discardTransmitted(true);
            ports[id] = port;
        }
        final Worker worker = Worker.switching(name, ports, pool, new RouteTableRef(table), new SystemNanoClock());
        for (int cycle = 0; cycle < 6; cycle++) { // learn the MACs (pods from their frames, the host from any of its frames)
            worker.doWork();
        }
        if (worker.drops().total() != worker.drops().get(DropReason.NEIGHBOR_UNKNOWN)) {
            throw new IllegalStateException(name + ": unexpected drops in warm-up: " + worker.drops().total());
        }
        final long warmUpDrops = worker.drops().total();
        for (int cycle = 0; cycle < 8; cycle++) { // from here on every packet must be forwarded
            worker.doWork();
        }
        if (worker.drops().total() != warmUpDrops) {
            throw new IllegalStateException(name + ": drops after warm-up: " + (worker.drops().total() - warmUpDrops));
        }
        return worker;
    }

    @Benchmark
    @OperationsPerInvocation(PacketBatch.CAPACITY)
    public int podToPod() {
        return podToPod.doWork();
    }

    @Benchmark
    @OperationsPerInvocation(PacketBatch.CAPACITY)
    public int podToPodWithHostPort() {
        return podToPodWithHostPort.doWork();
    }

    @Benchmark
    @OperationsPerInvocation(PacketBatch.CAPACITY)
    public int podToNodeAndBack() {
        return podToNodeAndBack.doWork();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        for (Worker worker : new Worker[]{podToPod, podToPodWithHostPort, podToNodeAndBack}) {
            final long unexpected = worker.drops().total() - worker.drops().get(DropReason.NEIGHBOR_UNKNOWN);
            if (unexpected != 0) {
                throw new IllegalStateException(worker.roleName() + " dropped " + unexpected + " packets");
            }
            worker.onClose();
        }
        arena.close();
    }
}
