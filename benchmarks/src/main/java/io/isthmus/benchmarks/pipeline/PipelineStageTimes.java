package io.isthmus.benchmarks.pipeline;

import io.isthmus.fastpath.pipeline.PacketBatch;
import io.isthmus.fastpath.pipeline.Stage;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Where the ClusterIP packet's extra time goes, stage by stage, side by side with pod → pod (issue
 * 10): the three {@link PipelineRig} paths in one JVM, every stage of the switching pipeline
 * wrapped in a timer (two {@code System.nanoTime()} reads around its {@code process} of a batch of
 * 64), the paths interleaved round by round so a change in the machine's load falls on all of
 * them. Per stage the figure is the median over every measured batch of the stage's time, divided
 * by 64 (a median, so a batch during which the thread lost its core does not count); "pipeline" is
 * the median of the per-batch sums; "cycle CPU" the thread CPU time of whole duty cycles (ports
 * included, timers included) per packet.
 *
 * <pre>
 *   java $FLAGS -cp benchmarks/target/benchmarks.jar io.isthmus.benchmarks.pipeline.PipelineStageTimes [rounds] [flows...]
 * </pre>
 * Defaults: 5 rounds of 20,000 batches per path (after 20,000 batches of warm-up), flows 1 and 1000.
 * The timers cost each stage about one clock read per batch (well under 1 ns a packet).
 */
public final class PipelineStageTimes {
    private static final int WARM_UP_BATCHES = 20_000;
    private static final int BATCHES_PER_ROUND = 20_000;

    private PipelineStageTimes() {
    }

    /** Per batch, the nanoseconds one stage took; one per stage of a rig. */
    private static final class TimedStage implements Stage {
        private final Stage inner;
        final long[] batchNs;
        int count;

        TimedStage(Stage inner, int capacity) {
            this.inner = inner;
            this.batchNs = new long[capacity];
        }

        @Override
        public int process(PacketBatch batch) {
            final long start = System.nanoTime();
            final int left = inner.process(batch);
            if (count < batchNs.length) {
                batchNs[count++] = System.nanoTime() - start;
            }
            return left;
        }
    }

    private record Timed(PipelineRig rig, List<TimedStage> stages) {
        void reset() {
            for (TimedStage stage : stages) {
                stage.count = 0;
            }
        }
    }

    public static void main(String[] args) {
        final int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        final int[] flowCounts = args.length > 1 ? Arrays.stream(args, 1, args.length).mapToInt(Integer::parseInt).toArray() : new int[]{1, 1000};
        final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        for (int flows : flowCounts) {
            final PipelineRig.Path[] paths = PipelineRig.Path.values();
            final Timed[] rigs = new Timed[paths.length];
            for (int p = 0; p < paths.length; p++) {
                final List<TimedStage> timers = new ArrayList<>();
                final PipelineRig rig = PipelineRig.build(paths[p], flows, (index, stage) -> {
                    final TimedStage timed = new TimedStage(stage, BATCHES_PER_ROUND);
                    timers.add(timed);
                    return timed;
                });
                rigs[p] = new Timed(rig, timers);
            }
            for (Timed timed : rigs) { // warm-up, every path before any is measured
                for (int b = 0; b < WARM_UP_BATCHES; b++) {
                    timed.rig().dutyCycle();
                }
                timed.reset();
            }
            // per path: per stage, the per-batch samples of every round; and the per-batch pipeline sums
            final List<List<long[]>> stageSamples = new ArrayList<>();
            final List<List<long[]>> pipelineSamples = new ArrayList<>();
            final long[] cycleCpuNs = new long[paths.length];
            for (int p = 0; p < paths.length; p++) {
                stageSamples.add(new ArrayList<>());
                pipelineSamples.add(new ArrayList<>());
            }
            for (int round = 0; round < rounds; round++) {
                for (int p = 0; p < paths.length; p++) {
                    final Timed timed = rigs[p];
                    timed.reset();
                    final long cpuStart = threads.getCurrentThreadCpuTime();
                    for (int b = 0; b < BATCHES_PER_ROUND; b++) {
                        timed.rig().dutyCycle();
                    }
                    cycleCpuNs[p] += threads.getCurrentThreadCpuTime() - cpuStart;
                    final long[] sums = new long[BATCHES_PER_ROUND];
                    final int stages = timed.stages().size();
                    for (int s = 0; s < stages; s++) {
                        final TimedStage stage = timed.stages().get(s);
                        if (round == 0) {
                            stageSamples.get(p).add(new long[0]);
                        }
                        final long[] kept = stageSamples.get(p).get(s);
                        final long[] grown = Arrays.copyOf(kept, kept.length + stage.count);
                        System.arraycopy(stage.batchNs, 0, grown, kept.length, stage.count);
                        stageSamples.get(p).set(s, grown);
                        for (int b = 0; b < stage.count; b++) {
                            sums[b] += stage.batchNs[b];
                        }
                    }
                    pipelineSamples.get(p).add(sums);
                }
            }
            report(flows, rounds, paths, rigs, stageSamples, pipelineSamples, cycleCpuNs);
            for (Timed timed : rigs) {
                timed.rig().check("the measurement");
                timed.rig().close();
            }
        }
    }

    private static void report(int flows, int rounds, PipelineRig.Path[] paths, Timed[] rigs, List<List<long[]>> stageSamples,
                               List<List<long[]>> pipelineSamples, long[] cycleCpuNs) {
        final double packets = (double) rounds * BATCHES_PER_ROUND * PacketBatch.CAPACITY;
        System.out.printf(Locale.ROOT, "%n%d flow(s), %d rounds of %,d batches of %d per path; median ns per packet%n",
                flows, rounds, BATCHES_PER_ROUND, PacketBatch.CAPACITY);
        final StringBuilder header = new StringBuilder("| stage |");
        final StringBuilder rule = new StringBuilder("|---|");
        for (PipelineRig.Path path : paths) {
            header.append(' ').append(path.label).append(" |");
            rule.append("---:|");
        }
        header.append(" clusterip - pod |");
        rule.append("---:|");
        System.out.println(header);
        System.out.println(rule);
        final List<String> names = rigs[rigs.length - 1].rig().stageNames; // the longest list (with conntrack)
        for (String name : names) {
            final StringBuilder line = new StringBuilder("| ").append(name).append(" |");
            final double[] values = new double[paths.length];
            for (int p = 0; p < paths.length; p++) {
                final int s = rigs[p].rig().stageNames.indexOf(name);
                values[p] = s < 0 ? Double.NaN : median(stageSamples.get(p).get(s)) / PacketBatch.CAPACITY;
                line.append(Double.isNaN(values[p]) ? " - |" : String.format(Locale.ROOT, " %.1f |", values[p]));
            }
            final double pod = Double.isNaN(values[0]) ? 0 : values[0];
            line.append(String.format(Locale.ROOT, " %+.1f |", values[paths.length - 1] - pod));
            System.out.println(line);
        }
        final StringBuilder total = new StringBuilder("| **pipeline** (median of per-batch sums) |");
        final double[] totals = new double[paths.length];
        for (int p = 0; p < paths.length; p++) {
            long[] all = new long[0];
            for (long[] sums : pipelineSamples.get(p)) {
                final long[] grown = Arrays.copyOf(all, all.length + sums.length);
                System.arraycopy(sums, 0, grown, all.length, sums.length);
                all = grown;
            }
            totals[p] = median(all) / PacketBatch.CAPACITY;
            total.append(String.format(Locale.ROOT, " **%.1f** |", totals[p]));
        }
        total.append(String.format(Locale.ROOT, " **%+.1f** |", totals[paths.length - 1] - totals[0]));
        System.out.println(total);
        final StringBuilder cpu = new StringBuilder("| duty cycle, thread CPU (mean) |");
        for (int p = 0; p < paths.length; p++) {
            cpu.append(String.format(Locale.ROOT, " %.1f |", cycleCpuNs[p] / packets));
        }
        cpu.append(String.format(Locale.ROOT, " %+.1f |", (cycleCpuNs[paths.length - 1] - cycleCpuNs[0]) / packets));
        System.out.println(cpu);
        final long[] sent = rigs[paths.length - 1].rig().transmittedPerBackend();
        System.out.printf(Locale.ROOT, "clusterip packets per backend: %,d / %,d / %,d%n", sent[0], sent[1], sent[2]);
    }

    private static double median(long[] samples) {
        if (samples.length == 0) {
            return Double.NaN;
        }
        final long[] sorted = samples.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }
}
