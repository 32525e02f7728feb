package io.isthmus.benchmarks.conntrack;

import io.isthmus.conntrack.ConnectionSpec;
import io.isthmus.conntrack.ConntrackCursor;
import io.isthmus.conntrack.ConntrackLookupBatch;
import io.isthmus.conntrack.ConntrackState;
import io.isthmus.conntrack.ConntrackTable;
import io.isthmus.conntrack.ConntrackTimeouts;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The Isthmus conntrack table: lookup hit, lookup miss (one key, and a batch of 64 in passes),
 * insert + delete, at {@code size} connections. Compare with
 * {@link ConcurrentHashMapConntrackBenchmark} and {@link ChronicleMapConntrackBenchmark}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
@State(Scope.Benchmark)
public class IsthmusConntrackBenchmark {

    @Param({"1024", "1048576", "10000000"})
    public int size;

    /**
     * Free entries beyond the filled ones, for insert+delete (which frees each entry it takes
     * at once): the table is sized for its load, as ConcurrentHashMap's is for its keys.
     */
    static int slack(int size) {
        return Math.max(4096, size / 16);
    }

    ConntrackTable table;
    int[] draws;
    final AtomicInteger threads = new AtomicInteger();

    @Setup(Level.Trial)
    public void fill() {
        table = ConntrackTable.createInMemory(size + slack(size), ConntrackTimeouts.linuxDefaults(), null);
        final ConntrackCursor cursor = table.cursor(60);
        for (int i = 0; i < size; i++) {
            final int result = cursor.insert(spec(cursor.spec(), i), 1);
            if (result < 0) {
                throw new IllegalStateException("fill failed at " + i + ": " + result);
            }
        }
        draws = Flows.draws(size, 42);
    }

    static ConnectionSpec spec(ConnectionSpec spec, int i) {
        return spec.tuple(0, Flows.clientLo(i), 0, Flows.vipLo(i), Flows.clientPort(i), 80, Flows.TCP, 0)
            .dnat(0, Flows.backendLo(i), 8080).state(ConntrackState.TCP_ESTABLISHED).decisions(i & 0xFFFFF, 1, i & 0xFFF);
    }

    @State(Scope.Thread)
    public static class Worker {
        ConntrackCursor cursor;
        ConntrackLookupBatch batch;
        int position;
        int stripe;
        int insertKey;

        @Setup(Level.Trial)
        public void setUp(IsthmusConntrackBenchmark bench) {
            stripe = bench.threads.getAndIncrement();
            cursor = bench.table.cursor(stripe);
            batch = new ConntrackLookupBatch(64);
            position = stripe * 7919;
        }

        int next(int[] draws) {
            return draws[position++ & (draws.length - 1)];
        }
    }

    @Benchmark
    public int lookupHit(Worker w) {
        final int i = w.next(draws);
        return w.cursor.lookup(0, Flows.clientLo(i), 0, Flows.vipLo(i), Flows.origPorts(i), Flows.TCP, 0);
    }

    @Benchmark
    public int lookupMiss(Worker w) {
        final int i = w.next(draws);
        return w.cursor.lookup(0, Flows.clientLo(i), 0, Flows.missVipLo(i), Flows.origPorts(i), Flows.TCP, 0);
    }

    /** 64 hits looked up in passes (hash all, touch all buckets, touch all entries, compare all): per lookup. */
    @Benchmark
    @OperationsPerInvocation(64)
    public int lookupHitBatch64(Worker w) {
        final ConntrackLookupBatch batch = w.batch;
        for (int k = 0; k < 64; k++) {
            final int i = w.next(draws);
            batch.key(k, 0, Flows.clientLo(i), 0, Flows.vipLo(i), Flows.origPorts(i), Flows.TCP, 0);
        }
        return w.cursor.lookupBatch(batch, 64);
    }

    /** 64 misses looked up in passes: per lookup. */
    @Benchmark
    @OperationsPerInvocation(64)
    public int lookupMissBatch64(Worker w) {
        final ConntrackLookupBatch batch = w.batch;
        for (int k = 0; k < 64; k++) {
            final int i = w.next(draws);
            batch.key(k, 0, Flows.clientLo(i), 0, Flows.missVipLo(i), Flows.origPorts(i), Flows.TCP, 0);
        }
        return w.cursor.lookupBatch(batch, 64);
    }

    /** A new connection (both tuples) inserted, then removed: keys no other thread uses. */
    @Benchmark
    public boolean insertDelete(Worker w) {
        final int i = 0x0100_0000 + (w.stripe << 20) + (w.insertKey++ & (Flows.INSERT_KEYS - 1));
        final int ref = w.cursor.insert(spec(w.cursor.spec(), i), 1);
        return ref >= 0 && w.cursor.remove(ref, w.cursor.insertedSeqZone());
    }
}
