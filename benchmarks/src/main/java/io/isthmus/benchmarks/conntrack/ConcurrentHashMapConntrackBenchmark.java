package io.isthmus.benchmarks.conntrack;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
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

/**
 * The same connections in a {@link ConcurrentHashMap}: both tuples of each connection as keys,
 * the rewrite and decisions as value. Lookups reuse one probe key per thread (no allocation, no
 * identity shortcut in equals).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx8g"})
@State(Scope.Benchmark)
public class ConcurrentHashMapConntrackBenchmark {

    @Param({"1024", "1048576", "10000000"})
    public int size;

    ConcurrentHashMap<FlowKey, FlowValue> map;
    int[] draws;
    final AtomicInteger threads = new AtomicInteger();

    @Setup(Level.Trial)
    public void fill() {
        map = new ConcurrentHashMap<>(size * 2, 0.75f, 2);
        for (int i = 0; i < size; i++) {
            put(map, i);
        }
        draws = Flows.draws(size, 42);
    }

    static void put(ConcurrentHashMap<FlowKey, FlowValue> map, int i) {
        map.put(new FlowKey().set(0, Flows.clientLo(i), 0, Flows.vipLo(i), Flows.origPorts(i), Flows.TCP),
            new FlowValue(Flows.clientLo(i), Flows.backendLo(i), io.isthmus.conntrack.ConntrackDescriptor.ports(Flows.clientPort(i), 8080), i));
        map.put(new FlowKey().set(0, Flows.backendLo(i), 0, Flows.clientLo(i), Flows.replyPorts(i), Flows.TCP),
            new FlowValue(Flows.vipLo(i), Flows.clientLo(i), io.isthmus.conntrack.ConntrackDescriptor.ports(80, Flows.clientPort(i)), i));
    }

    @State(Scope.Thread)
    public static class Worker {
        final FlowKey probe = new FlowKey();
        int position;
        int stripe;
        int insertKey;
        FlowKey[] insertOrig;
        FlowKey[] insertReply;
        FlowValue value;

        @Setup(Level.Trial)
        public void setUp(ConcurrentHashMapConntrackBenchmark bench) {
            stripe = bench.threads.getAndIncrement();
            position = stripe * 7919;
            // Insert keys built once, so the benchmark measures the map, not key allocation.
            insertOrig = new FlowKey[Flows.INSERT_KEYS];
            insertReply = new FlowKey[Flows.INSERT_KEYS];
            for (int k = 0; k < Flows.INSERT_KEYS; k++) {
                final int i = 0x0100_0000 + (stripe << 20) + k;
                insertOrig[k] = new FlowKey().set(0, Flows.clientLo(i), 0, Flows.vipLo(i), Flows.origPorts(i), Flows.TCP);
                insertReply[k] = new FlowKey().set(0, Flows.backendLo(i), 0, Flows.clientLo(i), Flows.replyPorts(i), Flows.TCP);
            }
            value = new FlowValue(1, 2, 3, 4);
        }

        int next(int[] draws) {
            return draws[position++ & (draws.length - 1)];
        }
    }

    @Benchmark
    public FlowValue lookupHit(Worker w) {
        final int i = w.next(draws);
        return map.get(w.probe.set(0, Flows.clientLo(i), 0, Flows.vipLo(i), Flows.origPorts(i), Flows.TCP));
    }

    @Benchmark
    public FlowValue lookupMiss(Worker w) {
        final int i = w.next(draws);
        return map.get(w.probe.set(0, Flows.clientLo(i), 0, Flows.missVipLo(i), Flows.origPorts(i), Flows.TCP));
    }

    @Benchmark
    public boolean insertDelete(Worker w) {
        final int k = w.insertKey++ & (Flows.INSERT_KEYS - 1);
        map.put(w.insertOrig[k], w.value);
        map.put(w.insertReply[k], w.value);
        return map.remove(w.insertOrig[k]) != null & map.remove(w.insertReply[k]) != null;
    }
}
