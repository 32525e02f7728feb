package io.isthmus.fastpath.stage;

import io.isthmus.fastpath.pipeline.Pipeline;
import io.isthmus.fastpath.pipeline.PipelineContext;

/**
 * The switching path as it stands today:
 *
 * <pre>
 *   parse → learn neighbor → ARP responder → L3 route → TTL/MAC rewrite (or ARP request) → TX
 * </pre>
 */
public final class SwitchingPipeline {
    private SwitchingPipeline() {
    }

    public static Pipeline create(PipelineContext context) {
        return new Pipeline(
                new ParseStage(context),
                new NeighborLearnStage(context),
                new ArpResponderStage(context),
                new RouteStage(context),
                new ForwardRewriteStage(context),
                new TransmitStage(context));
    }
}
