package io.isthmus.benchmarks.conntrack;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import net.openhft.chronicle.map.ChronicleMap;
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
import org.openjdk.jmh.annotations.TearDown;

/**
 * The same connections in a Chronicle Map (off-heap, in memory): both tuples of each connection
 * as 40-byte keys, the rewrite and decisions as a 24-byte value. Keys and values are byte arrays
 * reused per thread ({@code getUsing}). Chronicle Map 3.27ea2 runs on JDK 25 with the
 * --add-opens/--add-exports below (without java.lang.reflect opened it fails at create with
 * "IllegalAccessException: class net.openhft.chronicle.core.Jvm cannot access a member of class
 * net.openhft.chronicle.map.ChronicleMapBuilder with modifiers private").
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {
    "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED", "--add-opens=java.base/java.lang=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED", "--add-opens=java.base/java.util=ALL-UNNAMED",
    "--add-opens=java.base/java.nio=ALL-UNNAMED", "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
    "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED", "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED",
    "--add-exports=jdk.unsupported/sun.misc=ALL-UNNAMED", "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED",
    "--add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED", "--add-opens=jdk.compiler/com.sun.tools.javac=ALL-UNNAMED",
    "--sun-misc-unsafe-memory-access=allow", "--enable-native-access=ALL-UNNAMED",
    "-Dchronicle.analytics.disable=true", "-Xmx2g"})
@State(Scope.Benchmark)
public class ChronicleMapConntrackBenchmark {

    static final int KEY_BYTES = 40;
    static final int VALUE_BYTES = 24;

    @Param({"1024", "1048576", "10000000"})
    public int size;

    ChronicleMap<byte[], byte[]> map;
    int[] draws;
    final AtomicInteger threads = new AtomicInteger();

    @Setup(Level.Trial)
    public void fill() {
        map = ChronicleMap.of(byte[].class, byte[].class)
            .name("isthmus-bench")
            .constantKeySizeBySample(new byte[KEY_BYTES])
            .constantValueSizeBySample(new byte[VALUE_BYTES])
            .entries(2L * size + 4096)
            .create();
        final byte[] key = new byte[KEY_BYTES];
        final byte[] value = new byte[VALUE_BYTES];
        for (int i = 0; i < size; i++) {
            map.put(origKey(key, i), value(value, Flows.backendLo(i), i));
            map.put(replyKey(key, i), value(value, Flows.clientLo(i), i));
        }
        draws = Flows.draws(size, 42);
    }

    @TearDown(Level.Trial)
    public void close() {
        map.close();
    }

    static byte[] key(byte[] key, long srcLo, long dstLo, int ports) {
        final ByteBuffer b = ByteBuffer.wrap(key).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(0, 0).putLong(8, srcLo).putLong(16, 0).putLong(24, dstLo).putInt(32, ports).putInt(36, Flows.TCP);
        return key;
    }

    static byte[] origKey(byte[] key, int i) {
        return key(key, Flows.clientLo(i), Flows.vipLo(i), Flows.origPorts(i));
    }

    static byte[] replyKey(byte[] key, int i) {
        return key(key, Flows.backendLo(i), Flows.clientLo(i), Flows.replyPorts(i));
    }

    static byte[] value(byte[] value, long natLo, int i) {
        ByteBuffer.wrap(value).order(ByteOrder.LITTLE_ENDIAN).putLong(0, natLo).putLong(8, i).putInt(16, i);
        return value;
    }

    @State(Scope.Thread)
    public static class Worker {
        final byte[] key = new byte[KEY_BYTES];
        final byte[] value = new byte[VALUE_BYTES];
        int position;
        int stripe;
        int insertKey;

        @Setup(Level.Trial)
        public void setUp(ChronicleMapConntrackBenchmark bench) {
            stripe = bench.threads.getAndIncrement();
            position = stripe * 7919;
        }

        int next(int[] draws) {
            return draws[position++ & (draws.length - 1)];
        }
    }

    @Benchmark
    public byte[] lookupHit(Worker w) {
        final int i = w.next(draws);
        return map.getUsing(origKey(w.key, i), w.value);
    }

    @Benchmark
    public byte[] lookupMiss(Worker w) {
        final int i = w.next(draws);
        return map.getUsing(key(w.key, Flows.clientLo(i), Flows.missVipLo(i), Flows.origPorts(i)), w.value);
    }

    @Benchmark
    public boolean insertDelete(Worker w) {
        final int i = 0x0100_0000 + (w.stripe << 20) + (w.insertKey++ & (Flows.INSERT_KEYS - 1));
        map.put(origKey(w.key, i), value(w.value, 1, i));
        map.put(replyKey(w.key, i), w.value);
        final boolean removedReply = map.remove(w.key) != null;
        return map.remove(origKey(w.key, i)) != null & removedReply;
    }
}
