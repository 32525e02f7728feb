package io.isthmus.benchmarks.slowpath;

import io.isthmus.fastpath.control.DesiredKind;
import io.isthmus.fastpath.control.DesiredStateTables;
import io.isthmus.fastpath.control.FastpathTables;
import io.isthmus.fastpath.control.compile.AppliedChanges;
import io.isthmus.fastpath.control.compile.NodeSettings;
import io.isthmus.fastpath.pipeline.RouteTable;
import io.isthmus.fastpath.pipeline.RouteTableRef;
import io.isthmus.slowpath.reconcile.DesiredRecord;
import io.isthmus.slowpath.reconcile.DesiredRecords;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.util.concurrent.TimeUnit;

/**
 * The fast-path half of {@link SlowpathUpdateBenchmark} alone: one EndpointSlice record changed in
 * a {@link DesiredStateTables} holding {@code services} Services, then {@code applyPending()}
 * (compile and publish). No API server, no informer: the difference between the two benchmarks
 * is the slow path's own share.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx4g"})
public class DesiredStateCompileBenchmark {
    @Param({"10000"})
    int services;
    @Param({"10"})
    int endpointsPerService;

    private DesiredStateTables desired;
    private DesiredRecord[][] slices;
    private int next;
    private boolean[] flipped;

    @Setup(Level.Trial)
    public void load() {
        desired = new DesiredStateTables(FastpathTables.empty(new RouteTableRef(RouteTable.empty())), NodeSettings.of("node-a", "192.168.1.10"));
        final DesiredRecords mapper = new DesiredRecords("node-a");
        slices = new DesiredRecord[services][2];
        flipped = new boolean[services];
        for (int i = 0; i < services; i++) {
            for (DesiredRecord record : mapper.of(ClusterObjects.service(i)).records()) {
                desired.upsert(record.kind(), record.key(), record.payload());
            }
            for (DesiredRecord record : mapper.of(ClusterObjects.slice(i, endpointsPerService, false)).records()) {
                desired.upsert(record.kind(), record.key(), record.payload());
            }
            slices[i][0] = mapper.of(ClusterObjects.slice(i, endpointsPerService, true)).records().stream()
                    .filter(r -> r.kind() == DesiredKind.LB_ENDPOINT_SLICE).findFirst().orElseThrow();
            slices[i][1] = mapper.of(ClusterObjects.slice(i, endpointsPerService, false)).records().stream()
                    .filter(r -> r.kind() == DesiredKind.LB_ENDPOINT_SLICE).findFirst().orElseThrow();
        }
        desired.applyPending();
    }

    @Benchmark
    public AppliedChanges changeOneSliceAndPublish() {
        final int i = next;
        next = (next + 7919) % services;
        flipped[i] = !flipped[i];
        final DesiredRecord record = slices[i][flipped[i] ? 0 : 1];
        desired.upsert(record.kind(), record.key(), record.payload());
        return desired.applyPending();
    }
}
