package io.isthmus.fastpath.runtime.services;

import io.isthmus.fastpath.pipeline.FlowSettings;
import io.isthmus.lb.affinity.AffinityTable;

/**
 * The runtime's ClientIP session-affinity table: one off-heap {@link AffinityTable} shared by
 * every worker of the runtime, given to the flow stages in {@link FlowSettings#affinity()}.
 *
 * <p>It needs no sweeper: an expired entry is overwritten in place by the next
 * {@code remember} that probes it (its probe chain never has holes), so the table never fills
 * with dead clients; at worst a neighbourhood of {@link AffinityTable#MAX_PROBES} live clients
 * makes a new client fall back to Maglev for that connection.
 *
 * <p><b>Thread-safety:</b> the runtime creates it before the workers start and closes it after
 * they stopped; workers read and write it concurrently (see {@link AffinityTable}).
 */
public final class ServiceAffinity {
    /** 65,536 clients × Service ports (4 MiB): kube-proxy's {@code recent} list is far smaller. */
    public static final int DEFAULT_CAPACITY_ENTRIES = 1 << 16;

    private ServiceAffinity() {
    }

    /** {@code settings} with {@code table} as the workers' affinity table. */
    public static FlowSettings withTable(FlowSettings settings, AffinityTable table) {
        return new FlowSettings(settings.nodeIpv4(), settings.podCidrIpv4(), settings.podCidrPrefixBits(), table,
                settings.conntrackStripe());
    }
}
