package io.isthmus.benchmarks.fastpath;

import io.isthmus.fastpath.frame.FrameMemory;
import io.isthmus.fastpath.frame.FramePool;
import io.isthmus.fastpath.packet.Ipv4Address;
import io.isthmus.fastpath.packet.MacAddress;
import io.isthmus.fastpath.pipeline.PacketBatch;
import io.isthmus.fastpath.pipeline.Pipeline;
import io.isthmus.fastpath.pipeline.PipelineContext;
import io.isthmus.fastpath.pipeline.RouteTable;
import io.isthmus.fastpath.pipeline.RouteTableRef;
import io.isthmus.fastpath.pipeline.Stage;
import io.isthmus.fastpath.port.InMemoryPort;
import io.isthmus.fastpath.port.Port;
import io.isthmus.fastpath.stage.ForwardRewriteStage;
import io.isthmus.fastpath.stage.NeighborLearnStage;
import io.isthmus.fastpath.stage.ParseStage;
import io.isthmus.fastpath.stage.RouteStage;
import io.isthmus.fastpath.stage.TransmitStage;
import io.isthmus.fastpath.worker.Worker;
import org.agrona.concurrent.SystemNanoClock;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Where the time of the switching path goes: the same duty cycle as {@link SwitchingPathBenchmark}
 * with the first {@code depth} stages of the switching pipeline, then a sink that returns every
 * frame to the pool (depth 5 = everything but TX; "tx" = the whole pipeline). Differences between
 * depths are the cost of one stage per packet.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class SwitchingStagesBenchmark {
    @Param({"0", "1", "2", "3", "4", "tx"})
    public String depth;

    private Arena arena;
    private Worker worker;

    @Setup(Level.Trial)
    public void setUp() {
        arena = Arena.ofShared();
        final long switchMac0 = MacAddress.parse("02:00:00:00:00:01");
        final long switchMac1 = MacAddress.parse("02:00:00:00:00:02");
        final int podA = Ipv4Address.parse("10.244.1.2");
        final int podB = Ipv4Address.parse("10.244.1.3");
        final RouteTableRef routes = new RouteTableRef(RouteTable.builder(1).port(0, switchMac0, podA).port(1, switchMac1, podB).build());
        final FramePool pool = new FramePool(FrameMemory.allocate(arena, 1024, 2048));
        final InMemoryPort port0 = new InMemoryPort(0, "pod-a", pool, 16, PacketBatch.CAPACITY);
        final InMemoryPort port1 = new InMemoryPort(1, "pod-b", pool, 16, PacketBatch.CAPACITY);
        final MemorySegment aToB = SwitchingPathBenchmark.udpFrame(arena, switchMac0, SwitchingPathBenchmark.POD_MAC_A, podA, podB);
        final MemorySegment bToA = SwitchingPathBenchmark.udpFrame(arena, switchMac1, SwitchingPathBenchmark.POD_MAC_B, podB, podA);
        port0.generate(aToB, SwitchingPathBenchmark.FRAME_LENGTH);
        port1.generate(bToA, SwitchingPathBenchmark.FRAME_LENGTH);
        port0.discardTransmitted(true);
        port1.discardTransmitted(true);
        final Port[] ports = {port0, port1};
        final PipelineContext context = new PipelineContext(ports, pool, routes, Worker.ARP_REQUEST_INTERVAL_NS);
        context.neighbors().learn(0, SwitchingPathBenchmark.POD_MAC_A);
        context.neighbors().learn(1, SwitchingPathBenchmark.POD_MAC_B);
        final Stage[] all = {new ParseStage(context), new NeighborLearnStage(context), new RouteStage(context),
                new ForwardRewriteStage(context), new TransmitStage(context)};
        final List<Stage> stages = new ArrayList<>();
        final int n = depth.equals("tx") ? all.length : Integer.parseInt(depth);
        for (int i = 0; i < n; i++) {
            stages.add(all[i]);
        }
        if (n < all.length) {
            stages.add(batch -> { // sink: every frame back to the pool
                for (int i = 0; i < batch.size(); i++) {
                    pool.release(batch.address[i]);
                }
                batch.size(0);
                return 0;
            });
        }
        worker = new Worker("stages", ports, context, new Pipeline(stages.toArray(Stage[]::new)), new SystemNanoClock());
    }

    @Benchmark
    @OperationsPerInvocation(PacketBatch.CAPACITY)
    public int dutyCycle() {
        return worker.doWork();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (worker.drops().total() != 0) {
            throw new IllegalStateException("dropped " + worker.drops().total());
        }
        worker.onClose();
        arena.close();
    }
}
