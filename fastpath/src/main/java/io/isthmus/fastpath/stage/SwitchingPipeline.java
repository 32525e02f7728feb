package io.isthmus.fastpath.stage;

import io.isthmus.fastpath.pipeline.Pipeline;
import io.isthmus.fastpath.pipeline.PipelineContext;

/**
 * The switching path as it stands today:
 *
 * <pre>
 *   parse → learn neighbor → ARP responder → L3 route → TTL/MAC rewrite (or ARP request) → TX
 * </pre>
 *
 * With {@link DnsStageSettings} the cluster DNS is answered inline right after the ARP responder:
 * {@code parse → learn → ARP → DNS → route → rewrite → TX}.
 */
public final class SwitchingPipeline {
    private SwitchingPipeline() {
    }

    public static Pipeline create(PipelineContext context) {
        return create(context, null);
    }

    /** The switching path with the inline {@link DnsStage} after the ARP responder; {@code dns == null}: without it. */
    public static Pipeline create(PipelineContext context, DnsStageSettings dns) {
        if (dns != null) {
            return new Pipeline(
                    new ParseStage(context),
                    new NeighborLearnStage(context),
                    new ArpResponderStage(context),
                    new DnsStage(context, dns),
                    new RouteStage(context),
                    new ForwardRewriteStage(context),
                    new TransmitStage(context));
        }
        return new Pipeline(
                new ParseStage(context),
                new NeighborLearnStage(context),
                new ArpResponderStage(context),
                new RouteStage(context),
                new ForwardRewriteStage(context),
                new TransmitStage(context));
    }
}
