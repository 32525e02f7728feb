package io.isthmus.fastpath.runtime;

import io.isthmus.conntrack.ConntrackTable;
import io.isthmus.fastpath.control.FastpathTables;
import io.isthmus.fastpath.pipeline.Pipeline;
import io.isthmus.fastpath.pipeline.PipelineContext;
import io.isthmus.fastpath.stage.SwitchingPipeline;

/**
 * Builds a worker's stages over its context and the runtime's shared tables: the published table
 * generations and the conntrack table. The runtime owns those; the pipeline only reads them (and
 * writes conntrack entries).
 */
@FunctionalInterface
public interface PipelineFactory {

    Pipeline create(PipelineContext context, FastpathTables tables, ConntrackTable conntrack);

    /**
     * The {@link SwitchingPipeline}: with the flow stages (conntrack, Service DNAT, policy, commit)
     * when the runtime built the context with conntrack ({@code FastpathRuntimeConfig.flow()} set),
     * else routes only.
     */
    static PipelineFactory switching() {
        return (context, tables, conntrack) -> SwitchingPipeline.create(context);
    }

    /**
     * Whether the runtime must give this factory's context the published tables and the conntrack
     * table, so that the flow stages (conntrack, Service DNAT, policy) are built.
     */
    default boolean withFlows() {
        return false;
    }

    /** The whole switching path: conntrack, Service DNAT and policy over the runtime's tables, then routing. */
    static PipelineFactory flows() {
        return new PipelineFactory() {
            @Override
            public Pipeline create(PipelineContext context, FastpathTables tables, ConntrackTable conntrack) {
                return SwitchingPipeline.create(context);
            }

            @Override
            public boolean withFlows() {
                return true;
            }
        };
    }
}
