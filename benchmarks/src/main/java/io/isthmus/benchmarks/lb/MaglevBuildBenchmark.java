package io.isthmus.benchmarks.lb;

import io.isthmus.lb.maglev.MaglevTable;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Maglev table construction at M = 65,537: the paper's full build, and the minimal-disruption
 * update after one backend is removed (what the compiler does between generations).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class MaglevBuildBenchmark {

    private static final int M = 65_537;

    @Param({"10", "100", "1000"})
    public int backends;

    private String[] names;
    private String[] withoutOne;
    private int[] table;

    @Setup
    public void names() {
        names = MaglevDisruptionReport.backendNames(backends);
        withoutOne = Arrays.stream(names).filter(n -> !n.equals(names[backends / 2])).toArray(String[]::new);
        table = MaglevTable.build(names, M);
    }

    @Benchmark
    public int[] build() {
        return MaglevTable.build(names, M);
    }

    @Benchmark
    public int[] updateRemovingOne() {
        return MaglevTable.update(table, names, withoutOne, M);
    }
}
