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

    /** The switching path ({@link SwitchingPipeline}): routes only, the tables are not read yet. */
    static PipelineFactory switching() {
        return (context, tables, conntrack) -> SwitchingPipeline.create(context);
    }
}
