package io.isthmus.benchmarks.pipeline;

import io.isthmus.fastpath.pipeline.PacketBatch;
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

import java.util.concurrent.TimeUnit;

/**
 * What one packet of the harness's ClusterIP figure costs the worker against one of its pod → pod
 * figure, kernel left out (issue 10): a duty cycle over the real {@code SwitchingPipeline} stages
 * and in-memory ports ({@link PipelineRig}: pod A on port 0, the three backends on ports 1-3), one
 * operation = one packet of a batch of 64. Paths: {@code pod} (switching pipeline, no conntrack:
 * {@code isthmus fastpath --port}), {@code pod-flow} (whole pipeline, ESTABLISHED, no NAT),
 * {@code clusterip} (whole pipeline, DNAT on every packet: {@code isthmus fastpath --services}).
 * Run with {@code -prof io.isthmus.benchmarks.fastpath.ThreadCpuProfiler} on a shared machine: the
 * thread CPU time per packet is the figure; the per-stage split is {@link PipelineStageTimes}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ClusterIpPipelineBenchmark {
    @Param({"pod", "pod-flow", "clusterip"})
    public String path;

    @Param({"1", "1000"})
    public int flows;

    private PipelineRig rig;

    @Setup(Level.Trial)
    public void setUp() {
        rig = PipelineRig.build(PipelineRig.Path.parse(path), flows, (index, stage) -> stage);
    }

    @Benchmark
    @OperationsPerInvocation(PacketBatch.CAPACITY)
    public int dutyCycle() {
        return rig.dutyCycle();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        rig.check("the measurement");
        rig.close();
    }
}
