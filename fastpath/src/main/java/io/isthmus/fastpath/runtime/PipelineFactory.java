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
}
