package io.isthmus.fastpath.runtime;

import io.isthmus.conntrack.ConntrackTable;
import io.isthmus.fastpath.control.FastpathTables;
import io.isthmus.fastpath.pipeline.Pipeline;
import io.isthmus.fastpath.pipeline.PipelineContext;
import io.isthmus.fastpath.punt.InjectQueue;
import io.isthmus.fastpath.punt.PuntChannel;
import io.isthmus.fastpath.stage.DnsStageSettings;
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
     * Where the worker built over this factory's pipeline takes frames the slow path sends back
     * (DNS replies); null: none.
     */
    default InjectQueue injects() {
        return null;
    }

    /**
     * The {@link SwitchingPipeline} with the inline DNS stage answering the cluster DNS Service
     * {@code serviceIp:servicePort} from the published zone ({@code tables.dnsZone()}), punting other
     * names to {@code channel}'s punt queue; the worker sends what comes back on its inject queue.
     * One worker per factory (a channel belongs to one worker).
     */
    static PipelineFactory switchingWithDns(int serviceIp, int servicePort, PuntChannel channel) {
        return new PipelineFactory() {
            @Override
            public Pipeline create(PipelineContext context, FastpathTables tables, ConntrackTable conntrack) {
                return SwitchingPipeline.create(context, new DnsStageSettings(serviceIp, servicePort, tables.dnsZone(), channel.punts()));
            }

            @Override
            public InjectQueue injects() {
                return channel.injects();
            }
        };
    }
}
