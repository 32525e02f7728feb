package io.isthmus.benchmarks.fastpath;

import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.profile.InternalProfiler;
import org.openjdk.jmh.results.AggregationPolicy;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.ScalarResult;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.Collection;
import java.util.List;

/**
 * CPU time of the JMH worker threads per operation ({@code cpu.time.norm}, ns/op), next to the
 * wall-clock score. On a shared, overloaded machine the wall-clock score includes the time the
 * benchmark thread waited for a core; thread CPU time does not, so it says what one packet costs
 * when it runs. Use: {@code -prof io.isthmus.benchmarks.fastpath.ThreadCpuProfiler}.
 */
public final class ThreadCpuProfiler implements InternalProfiler {
    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    private long cpuAtStartNs;

    @Override
    public String getDescription() {
        return "CPU time of the jmh-worker threads per operation";
    }

    @Override
    public void beforeIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams) {
        cpuAtStartNs = workerCpuNs();
    }

    @Override
    @SuppressWarnings("rawtypes") // JMH's InternalProfiler signature uses the raw Result
    public Collection<? extends Result> afterIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams,
                                                       IterationResult result) {
        final long cpuNs = workerCpuNs() - cpuAtStartNs;
        final long ops = result.getMetadata().getMeasuredOps();
        final double perOp = ops == 0 ? Double.NaN : (double) cpuNs / ops;
        return List.of(new ScalarResult("cpu.time.norm", perOp, "ns/op", AggregationPolicy.AVG));
    }

    private long workerCpuNs() {
        long total = 0;
        for (ThreadInfo info : threads.dumpAllThreads(false, false)) {
            if (info.getThreadName().contains("jmh-worker")) {
                final long cpu = threads.getThreadCpuTime(info.getThreadId());
                if (cpu > 0) {
                    total += cpu;
                }
            }
        }
        return total;
    }
}
