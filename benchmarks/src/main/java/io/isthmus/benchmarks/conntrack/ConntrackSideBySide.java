package io.isthmus.benchmarks.conntrack;

import io.isthmus.conntrack.ConntrackCursor;
import io.isthmus.conntrack.ConntrackLookupBatch;
import io.isthmus.conntrack.ConntrackTable;
import io.isthmus.conntrack.ConntrackTimeouts;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import net.openhft.chronicle.map.ChronicleMap;

/**
 * Lookups side by side on a shared, loaded machine: the same keys in the Isthmus table,
 * ConcurrentHashMap and Chronicle Map, measured in <b>thread CPU time</b> (time the thread was
 * descheduled does not count, unlike JMH's wall clock) over interleaved rounds, minimum and
 * median per lookup. Companion of the JMH benchmarks of this package; same {@link Flows}.
 *
 * <p>{@code java <flags> -cp benchmarks.jar io.isthmus.benchmarks.conntrack.ConntrackSideBySide
 * SIZE [ROUNDS] [--no-chronicle] [--table memory|shm|huge] [--batch N] [--track [--touch]] [--touch-too] [--always] [--every-round]}
 *
 * <p>{@code --touch-too} (session 7) adds the batch rows of a second cursor that uses touch
 * loops instead of the real prefetch ({@code table.cursor(1, PrefetchMode.NEVER)}), interleaved with the
 * others in every round: prefetch on and off side by side in one JVM. (Without it, compare
 * two runs with and without {@code -Disthmus.conntrack.prefetch=false}.)
 */
public final class ConntrackSideBySide {

    private static final int OPS_PER_ROUND = 1 << 17;
    private static final int TCP_ACK = 0x10;
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private ConntrackSideBySide() {
    }

    public static void main(String[] args) throws Exception {
        final int size = Integer.parseInt(args[0]);
        final int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 30;
        final boolean chronicle = !Arrays.asList(args).contains("--no-chronicle");
        final int[] draws = Flows.draws(size, 42);

        final String placement = option(args, "--table", "memory");
        final ConntrackTable table = createTable(placement, size + IsthmusConntrackBenchmark.slack(size));
        // --always: the first cursor prefetches at every size (default: AUTO, as a worker's cursor).
        final ConntrackCursor cursor = table.cursor(0, Arrays.asList(args).contains("--always")
            ? io.isthmus.conntrack.ConntrackCursor.PrefetchMode.ALWAYS : io.isthmus.conntrack.ConntrackCursor.PrefetchMode.AUTO);
        for (int i = 0; i < size; i++) {
            if (cursor.insert(IsthmusConntrackBenchmark.spec(cursor.spec(), i), 1) < 0) {
                throw new IllegalStateException("Isthmus fill failed at " + i);
            }
        }
        final ConcurrentHashMap<FlowKey, FlowValue> chm = new ConcurrentHashMap<>(size * 2, 0.75f, 2);
        for (int i = 0; i < size; i++) {
            ConcurrentHashMapConntrackBenchmark.put(chm, i);
        }
        ChronicleMap<byte[], byte[]> cm = null;
        if (chronicle) {
            cm = ChronicleMap.of(byte[].class, byte[].class).name("isthmus-side-by-side")
                .constantKeySizeBySample(new byte[ChronicleMapConntrackBenchmark.KEY_BYTES])
                .constantValueSizeBySample(new byte[ChronicleMapConntrackBenchmark.VALUE_BYTES])
                .entries(2L * size + 4096).create();
            final byte[] key = new byte[ChronicleMapConntrackBenchmark.KEY_BYTES];
            final byte[] value = new byte[ChronicleMapConntrackBenchmark.VALUE_BYTES];
            for (int i = 0; i < size; i++) {
                cm.put(ChronicleMapConntrackBenchmark.origKey(key, i), ChronicleMapConntrackBenchmark.value(value, Flows.backendLo(i), i));
                cm.put(ChronicleMapConntrackBenchmark.replyKey(key, i), ChronicleMapConntrackBenchmark.value(value, Flows.clientLo(i), i));
            }
        }

        final int batchSize = Integer.parseInt(option(args, "--batch", "64"));
        final ConntrackLookupBatch batch = new ConntrackLookupBatch(batchSize);
        final FlowKey probe = new FlowKey();
        final byte[] cmKey = new byte[ChronicleMapConntrackBenchmark.KEY_BYTES];
        final byte[] cmValue = new byte[ChronicleMapConntrackBenchmark.VALUE_BYTES];
        final int mask = draws.length - 1;
        final int[] position = {0};
        final Map<String, LongSupplier> variants = new LinkedHashMap<>();
        variants.put("isthmus hit", () -> {
            long sink = 0;
            int p = position[0];
            for (int n = 0; n < OPS_PER_ROUND; n++) {
                final int i = draws[p++ & mask];
                sink += cursor.lookup(0, Flows.clientLo(i), 0, Flows.vipLo(i), Flows.origPorts(i), Flows.TCP, 0);
            }
            position[0] = p;
            return sink;
        });
        variants.put("isthmus hit batch" + batchSize, () -> {
            long sink = 0;
            int p = position[0];
            for (int n = 0; n < OPS_PER_ROUND; n += batchSize) {
                for (int k = 0; k < batchSize; k++) {
                    final int i = draws[p++ & mask];
                    batch.key(k, 0, Flows.clientLo(i), 0, Flows.vipLo(i), Flows.origPorts(i), Flows.TCP, 0);
                }
                sink += cursor.lookupBatch(batch, batchSize);
            }
            position[0] = p;
            return sink;
        });
        if (Arrays.asList(args).contains("--touch-too")) {
            final ConntrackCursor touching = table.cursor(1, io.isthmus.conntrack.ConntrackCursor.PrefetchMode.NEVER);
            final ConntrackLookupBatch touchBatch = new ConntrackLookupBatch(batchSize);
            for (boolean hit : new boolean[] {true, false}) {
                variants.put("isthmus " + (hit ? "hit" : "miss") + " b" + batchSize + " touch", () -> {
                    long sink = 0;
                    int p = position[0];
                    for (int n = 0; n < OPS_PER_ROUND; n += batchSize) {
                        for (int k = 0; k < batchSize; k++) {
                            final int i = draws[p++ & mask];
                            touchBatch.key(k, 0, Flows.clientLo(i), 0, hit ? Flows.vipLo(i) : Flows.missVipLo(i), Flows.origPorts(i),
                                Flows.TCP, 0);
                        }
                        sink += touching.lookupBatch(touchBatch, batchSize);
                    }
                    position[0] = p;
                    return sink;
                });
            }
        }
        if (Arrays.asList(args).contains("--track")) {
            // What a worker's conntrack stage does per established packet: the batch lookup,
            // then track each hit (ACK, same second: counters only). With --touch, the hits'
            // byte counters are touched first (ConntrackCursor.touchForTrack, session 5; the
            // call is never made without --touch, so the row also runs on older classes).
            final boolean touch = Arrays.asList(args).contains("--touch");
            variants.put("isthmus hit+track b" + batchSize, () -> {
                long sink = 0;
                int p = position[0];
                for (int n = 0; n < OPS_PER_ROUND; n += batchSize) {
                    for (int k = 0; k < batchSize; k++) {
                        final int i = draws[p++ & mask];
                        batch.key(k, 0, Flows.clientLo(i), 0, Flows.vipLo(i), Flows.origPorts(i), Flows.TCP, 0);
                    }
                    sink += cursor.lookupBatch(batch, batchSize);
                    if (touch) {
                        cursor.touchForTrack(batch, batchSize);
                    }
                    for (int k = 0; k < batchSize; k++) {
                        if (batch.ref[k] >= 0) {
                            sink += cursor.track(batch.ref[k], batch.seq(k), TCP_ACK, 100, 1);
                        }
                    }
                }
                position[0] = p;
                return sink;
            });
        }
        variants.put("chm hit", () -> {
            long sink = 0;
            int p = position[0];
            for (int n = 0; n < OPS_PER_ROUND; n++) {
                final int i = draws[p++ & mask];
                final FlowValue v = chm.get(probe.set(0, Flows.clientLo(i), 0, Flows.vipLo(i), Flows.origPorts(i), Flows.TCP));
                sink += v == null ? 0 : 1;
            }
            position[0] = p;
            return sink;
        });
        if (cm != null) {
            final ChronicleMap<byte[], byte[]> map = cm;
            variants.put("chronicle hit", () -> {
                long sink = 0;
                int p = position[0];
                for (int n = 0; n < OPS_PER_ROUND / 4; n++) {
                    final int i = draws[p++ & mask];
                    sink += map.getUsing(ChronicleMapConntrackBenchmark.origKey(cmKey, i), cmValue) == null ? 0 : 1;
                }
                position[0] = p;
                return sink * 4;
            });
        }
        variants.put("isthmus miss", () -> {
            long sink = 0;
            int p = position[0];
            for (int n = 0; n < OPS_PER_ROUND; n++) {
                final int i = draws[p++ & mask];
                sink += cursor.lookup(0, Flows.clientLo(i), 0, Flows.missVipLo(i), Flows.origPorts(i), Flows.TCP, 0);
            }
            position[0] = p;
            return sink;
        });
        variants.put("isthmus miss batch" + batchSize, () -> {
            long sink = 0;
            int p = position[0];
            for (int n = 0; n < OPS_PER_ROUND; n += batchSize) {
                for (int k = 0; k < batchSize; k++) {
                    final int i = draws[p++ & mask];
                    batch.key(k, 0, Flows.clientLo(i), 0, Flows.missVipLo(i), Flows.origPorts(i), Flows.TCP, 0);
                }
                sink += cursor.lookupBatch(batch, batchSize);
            }
            position[0] = p;
            return sink;
        });
        variants.put("chm miss", () -> {
            long sink = 0;
            int p = position[0];
            for (int n = 0; n < OPS_PER_ROUND; n++) {
                final int i = draws[p++ & mask];
                sink += chm.get(probe.set(0, Flows.clientLo(i), 0, Flows.missVipLo(i), Flows.origPorts(i), Flows.TCP)) == null ? 0 : 1;
            }
            position[0] = p;
            return sink;
        });
        if (cm != null) {
            final ChronicleMap<byte[], byte[]> map = cm;
            variants.put("chronicle miss", () -> {
                long sink = 0;
                int p = position[0];
                for (int n = 0; n < OPS_PER_ROUND / 4; n++) {
                    final int i = draws[p++ & mask];
                    sink += map.getUsing(ChronicleMapConntrackBenchmark.key(cmKey, Flows.clientLo(i), Flows.missVipLo(i),
                        Flows.origPorts(i)), cmValue) == null ? 0 : 1;
                }
                position[0] = p;
                return sink * 4;
            });
        }

        final Map<String, List<Double>> nsPerOp = new LinkedHashMap<>();
        long sink = 0;
        for (int round = -3; round < rounds; round++) { // three warm-up rounds
            for (Map.Entry<String, LongSupplier> variant : variants.entrySet()) {
                final int ops = variant.getKey().startsWith("chronicle") ? OPS_PER_ROUND / 4 : OPS_PER_ROUND;
                final long start = THREADS.getCurrentThreadCpuTime();
                sink += variant.getValue().getAsLong();
                final long cpuNs = THREADS.getCurrentThreadCpuTime() - start;
                if (round >= 0) {
                    nsPerOp.computeIfAbsent(variant.getKey(), k -> new ArrayList<>()).add((double) cpuNs / ops);
                }
            }
        }
        System.out.printf("size %d, %d rounds of %d lookups (Chronicle: a quarter), thread CPU ns per lookup (sink %d)%n",
            size, rounds, OPS_PER_ROUND, sink & 1);
        for (Map.Entry<String, List<Double>> e : nsPerOp.entrySet()) {
            final double[] values = e.getValue().stream().mapToDouble(Double::doubleValue).sorted().toArray();
            System.out.printf("%-22s min %8.1f  median %8.1f%n", e.getKey(), values[0], values[values.length / 2]);
            if (Arrays.asList(args).contains("--every-round")) {
                System.out.println("  rounds in order: " + e.getValue());
            }
        }
        System.out.println(hugePagesLine());
        System.out.println("isthmus batch rows: " + (cursor.prefetches()
            ? "prefetch" + io.isthmus.conntrack.memory.Prefetcher.emitted().hint().name().toLowerCase(java.util.Locale.ROOT)
            : io.isthmus.conntrack.memory.Prefetcher.ENABLED ? "touch loops (AUTO: the table is below its prefetch threshold)"
            : "touch loops (" + io.isthmus.conntrack.memory.Prefetcher.emitted().reason() + ")"));
        System.out.printf("isthmus table: %s, %d MiB, on 2 MiB pages: %d MiB%n", placement,
            (table.capacity() * 128L) >> 20, table.hugePageBytes() >> 20);
        if (cm != null) {
            cm.close();
        }
        table.close();
        if (table.path() != null) {
            final java.nio.file.Path file = table.path().toRealPath();
            java.nio.file.Files.deleteIfExists(table.path());
            java.nio.file.Files.deleteIfExists(file);
        }
    }

    /** The value after {@code name} in the arguments, or {@code otherwise}. */
    static String option(String[] args, String name, String otherwise) {
        final int at = Arrays.asList(args).indexOf(name);
        return at >= 0 && at + 1 < args.length ? args[at + 1] : otherwise;
    }

    /**
     * The Isthmus table: {@code memory} (anonymous memory with MADV_HUGEPAGE), {@code shm} (a
     * file in /dev/shm: 4 KiB pages) or {@code huge} (the file on the huge-page tmpfs the fast
     * path uses, /dev/shm/isthmus-huge, linked from /dev/shm; needs root to mount it).
     */
    static ConntrackTable createTable(String placement, int capacity) throws java.io.IOException {
        final java.nio.file.Path path = java.nio.file.Path.of("/dev/shm/isthmus-bench-conntrack-" + ProcessHandle.current().pid());
        final io.isthmus.conntrack.ConntrackConfig file = new io.isthmus.conntrack.ConntrackConfig(path, capacity,
            ConntrackTimeouts.linuxDefaults());
        return switch (placement) {
            case "memory" -> ConntrackTable.createInMemory(capacity, ConntrackTimeouts.linuxDefaults(), null);
            case "shm" -> ConntrackTable.create(file, null);
            case "huge" -> ConntrackTable.create(file.withHugePageMount(io.isthmus.conntrack.ConntrackConfig.DEFAULT_HUGE_PAGE_MOUNT), null);
            default -> throw new IllegalArgumentException("--table must be memory, shm or huge, got " + placement);
        };
    }

    /** How much of this process's anonymous memory is on transparent huge pages (from /proc). */
    static String hugePagesLine() {
        try {
            for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/smaps_rollup"))) {
                if (line.startsWith("AnonHugePages")) {
                    return "process " + line.replaceAll("\\s+", " ");
                }
            }
        } catch (java.io.IOException e) {
            return "huge pages: " + e.getMessage();
        }
        return "huge pages: not reported";
    }
}
