package io.isthmus.fastpath.control;

import io.isthmus.dns.zone.Zone;
import io.isthmus.fastpath.pipeline.RouteTableRef;
import io.isthmus.lb.table.ServiceTable;
import io.isthmus.policy.compile.PolicySnapshot;

/**
 * Every compiled table the stages read, each as its own published generation. The fast path's
 * control agent is the one writer of each; workers read each once per batch.
 *
 * <p>{@code null} in a {@link Published} means "nothing compiled yet": the Service stage then
 * treats every flow as not for a Service, the policy stage allows (no pod is isolated), and the
 * DNS stage lets queries through to their destination.
 */
public record FastpathTables(RouteTableRef routes,
                             Published<ServiceTable> services,
                             Published<PolicySnapshot> policies,
                             Published<Zone> dnsZone) {

    /** Empty tables for a fast path that has not heard from the slow path yet. */
    public static FastpathTables empty(RouteTableRef routes) {
        return new FastpathTables(routes, new Published<>(null), new Published<>(null), new Published<>(null));
    }
}
