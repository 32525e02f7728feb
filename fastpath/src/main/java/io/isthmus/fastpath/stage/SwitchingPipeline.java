package io.isthmus.fastpath.stage;

import io.isthmus.fastpath.pipeline.Pipeline;
import io.isthmus.fastpath.pipeline.PipelineContext;
import io.isthmus.fastpath.pipeline.Stage;

import java.util.ArrayList;
import java.util.List;

/**
 * The switching path. With connection tracking (a context with a conntrack table):
 *
 * <pre>
 *   parse → learn neighbor → ARP responder → [DNS] → conntrack ─┬─ ESTABLISHED / REPLY (NAT applied) ─┐
 *                                                               └─ NEW → Service DNAT → policy → commit ┤
 *                                                                        L3 route → TTL/MAC rewrite → TX
 * </pre>
 *
 * (established packets go through the Service, policy and commit stages too, but those only look
 * at NEW packets). Without a conntrack table: parse → learn → ARP → route → rewrite → TX.
 *
 * <p>The uplink stages do nothing until a node uplink is attached ({@code UplinkPort}): then
 * {@link UplinkLearnStage} (after learn) remembers which MAC each outside source sits behind,
 * {@link UplinkEgressStage} (after commit, flow pipeline only) sends replies of connections that
 * came in on the uplink back out of it, and {@link UplinkNextHopStage} (after rewrite) addresses
 * those frames to the client's MAC from the uplink's own.
 * With {@link DnsStageSettings} the cluster DNS is answered inline right after the ARP responder.
 */
public final class SwitchingPipeline {
    private SwitchingPipeline() {
    }

    public static Pipeline create(PipelineContext context) {
        return create(context, null);
    }

    /** The switching path with the inline {@link DnsStage} after the ARP responder; {@code dns == null}: without it. */
    public static Pipeline create(PipelineContext context, DnsStageSettings dns) {
        return new Pipeline(stages(context, dns).toArray(Stage[]::new));
    }

    /**
     * The stages {@link #create(PipelineContext, DnsStageSettings)} runs, in order: for a benchmark
     * or a diagnosis that wraps each one (e.g. timing it) and builds its own {@link Pipeline}.
     */
    public static List<Stage> stages(PipelineContext context, DnsStageSettings dns) {
        final List<Stage> stages = new ArrayList<>();
        stages.add(new ParseStage(context));
        stages.add(new NeighborLearnStage(context));
        stages.add(new UplinkLearnStage(context));
        stages.add(new ArpResponderStage(context));
        if (dns != null) {
            stages.add(new DnsStage(context, dns));
        }
        if (context.hasConntrack()) {
            final ConntrackFlows flows = new ConntrackFlows(context.conntrack());
            stages.add(new ConntrackStage(context, flows));
            stages.add(new ServiceDnatStage(context));
            stages.add(new PolicyStage(context));
            stages.add(new ConntrackCommitStage(context, flows));
            stages.add(new UplinkEgressStage(context));
        }
        stages.add(new RouteStage(context));
        stages.add(new ForwardRewriteStage(context));
        stages.add(new UplinkNextHopStage(context));
        stages.add(new TransmitStage(context));
        return stages;
    }
}
