package io.isthmus.benchmarks.pipeline;

import io.isthmus.benchmarks.fastpath.SwitchingPathBenchmark;
import io.isthmus.fastpath.frame.FramePool;
import io.isthmus.fastpath.packet.Ipv4Address;
import io.isthmus.fastpath.packet.MacAddress;
import io.isthmus.fastpath.port.PortCounters;
import io.isthmus.fastpath.xsk.AfXdpPort;
import io.isthmus.fastpath.xsk.AfXdpPortSet;
import io.isthmus.fastpath.xsk.TxBudget;
import io.isthmus.fastpath.xsk.XskConfig;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * What a worker's TX kicks cost per frame (issue 10), in thread CPU time (user + system, so a
 * loaded machine stretches the wall clock but not the figure much): one {@link AfXdpPort} on the
 * host end of a veth pair this program makes (the peer has no program: the kernel drops the
 * frames, addressed to a MAC nobody has, early in its receive path), sending 64-byte UDP frames in
 * cycles of a fixed number of frames as a worker's flush would, four ways, interleaved round by
 * round (five variants):
 *
 * <ul>
 *   <li>{@code 64/cycle, budget 32}: pod → pod before session 6 (one egress port, a full batch
 *       per flush; the kernel sends 32 frames a {@code sendto}, so two kicks a flush);</li>
 *   <li>{@code 64/cycle, budget 256}: the same with {@code XDP_MAX_TX_SKB_BUDGET} (one kick);</li>
 *   <li>{@code 21/cycle, kick each}: one of a ClusterIP's three backend ports before session 6
 *       (a third of a batch per flush, one kick each);</li>
 *   <li>{@code 21/cycle, coalesce 2}: the same with kicks waiting up to two full-batch cycles
 *       (~63 frames a kick with the budget at 256; with the kernel's 32 a kick waits only while
 *       fewer than 32 are queued, so ~42 a flush in two kicks).</li>
 * </ul>
 * The downstream kernel work per frame (skb, veth) is the same in every variant; the differences
 * are the kicks' fixed cost. Root only (it makes and removes the veth pair {@code isxkA/B<tag>}).
 *
 * <pre>
 *   java $FLAGS -cp benchmarks/target/benchmarks.jar io.isthmus.benchmarks.pipeline.TxKickCpuTime [rounds] [frames per round]
 * </pre>
 * Defaults: 7 rounds of 400,000 frames per variant (after one warm-up round); the median of the
 * rounds' ns per frame, sendto calls per frame from the port's kick counter, and the median over
 * rounds of each variant's difference to its baseline in the same round (variant 0 for 64 a flush,
 * variant 2 for 21 a flush): paired, so a change of the machine's load between rounds cancels.
 */
public final class TxKickCpuTime {
    private record Variant(String name, int framesPerCycle, int budgetFrames, int coalesceCycles) {
    }

    private static final List<Variant> VARIANTS = List.of(
            new Variant("64/cycle, budget 32", 64, TxBudget.KERNEL_FRAMES, 0),
            new Variant("64/cycle, budget 256", 64, TxBudget.WORKER_FRAMES, 0),
            new Variant("21/cycle, kick each, budget 32", 21, TxBudget.KERNEL_FRAMES, 0),
            new Variant("21/cycle, coalesce 2, budget 32", 21, TxBudget.KERNEL_FRAMES, TxBudget.WORKER_COALESCE_CYCLES),
            new Variant("21/cycle, coalesce 2, budget 256", 21, TxBudget.WORKER_FRAMES, TxBudget.WORKER_COALESCE_CYCLES));

    private TxKickCpuTime() {
    }

    public static void main(String[] args) throws Exception {
        final int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 7;
        final int framesPerRound = args.length > 1 ? Integer.parseInt(args[1]) : 400_000;
        final String tag = Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0xffff));
        final String host = "isxkA" + tag;
        final String peer = "isxkB" + tag;
        ip("link", "add", host, "type", "veth", "peer", "name", peer);
        try {
            ip("link", "set", host, "up");
            ip("link", "set", peer, "up");
            run(host, rounds, framesPerRound);
        } finally {
            ip("link", "del", host);
        }
    }

    private static void run(String host, int rounds, int framesPerRound) {
        final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        try (Arena arena = Arena.ofConfined(); AfXdpPortSet set = AfXdpPortSet.open(List.of(host), XskConfig.defaults())) {
            final AfXdpPort port = set.ports().getFirst();
            final FramePool pool = set.pool();
            final MemorySegment frame = SwitchingPathBenchmark.udpFrame(arena, MacAddress.parse("02:00:00:00:be:ef"),
                    MacAddress.parse("02:00:00:00:00:01"), Ipv4Address.parse("10.250.0.2"), Ipv4Address.parse("10.250.0.3"), 4000, 9);
            final MemorySegment memory = pool.memory().segment();
            final double[][] nsPerFrame = new double[VARIANTS.size()][rounds];
            final double[] kicksPerFrame = new double[VARIANTS.size()];
            for (int round = -1; round < rounds; round++) {
                for (int v = 0; v < VARIANTS.size(); v++) {
                    final Variant variant = VARIANTS.get(v);
                    final int errno = port.setTxBudget(variant.budgetFrames());
                    if (errno != 0) {
                        throw new IllegalStateException("XDP_MAX_TX_SKB_BUDGET " + variant.budgetFrames() + " refused: errno " + errno);
                    }
                    port.coalesceKicks(variant.coalesceCycles());
                    final long kicksBefore = port.counters().get(PortCounters.Counter.TX_KICKS);
                    final long cpuBefore = threads.getCurrentThreadCpuTime();
                    final int sent = send(port, pool, memory, frame, variant.framesPerCycle(), framesPerRound);
                    final long cpuNs = threads.getCurrentThreadCpuTime() - cpuBefore;
                    if (round >= 0) {
                        nsPerFrame[v][round] = (double) cpuNs / sent;
                        kicksPerFrame[v] = (double) (port.counters().get(PortCounters.Counter.TX_KICKS) - kicksBefore) / sent;
                    }
                }
            }
            System.out.printf(Locale.ROOT, "%-34s %14s %14s %16s %22s%n", "variant", "ns/frame (med)", "min..max", "sendto per frame",
                    "paired diff (med)");
            for (int v = 0; v < VARIANTS.size(); v++) {
                final double[] sorted = nsPerFrame[v].clone();
                Arrays.sort(sorted);
                final int baseline = VARIANTS.get(v).framesPerCycle() == 64 ? 0 : 2;
                final double[] diff = new double[rounds];
                for (int round = 0; round < rounds; round++) {
                    diff[round] = nsPerFrame[v][round] - nsPerFrame[baseline][round];
                }
                Arrays.sort(diff);
                System.out.printf(Locale.ROOT, "%-34s %14.1f %7.1f..%-6.1f %16.4f %14.1f vs %d%n", VARIANTS.get(v).name(),
                        sorted[sorted.length / 2], sorted[0], sorted[sorted.length - 1], kicksPerFrame[v], diff[rounds / 2], baseline);
            }
        }
    }

    /**
     * Sends {@code total} frames, {@code perCycle} a flush, each flush told more is coming (as a
     * worker whose batches come in full) except the last; returns the frames queued.
     */
    private static int send(AfXdpPort port, FramePool pool, MemorySegment memory, MemorySegment frame, int perCycle, int total) {
        final int length = (int) frame.byteSize();
        int sent = 0;
        while (sent < total) {
            for (int i = 0; i < perCycle && sent < total; i++) {
                final long address = pool.acquire();
                if (address < 0) {
                    break; // the kernel still holds them: the flush below reclaims completions
                }
                MemorySegment.copy(frame, 0, memory, address, length);
                if (!port.transmit(address, length)) {
                    pool.release(address);
                    break;
                }
                sent++;
            }
            port.flush(sent < total);
        }
        for (int i = 0; i < 100; i++) {
            port.flush(false);
        }
        return sent;
    }

    private static void ip(String... args) throws IOException, InterruptedException {
        final List<String> command = new ArrayList<>(List.of("ip"));
        command.addAll(List.of(args));
        final Process process = new ProcessBuilder(command).inheritIO().start();
        if (!process.waitFor(10, TimeUnit.SECONDS) || process.exitValue() != 0) {
            process.destroyForcibly();
            throw new IOException(String.join(" ", command) + " failed");
        }
    }
}
