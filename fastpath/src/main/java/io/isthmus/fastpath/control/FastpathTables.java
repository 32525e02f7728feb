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
 *
 * <p>Reclamation: a replaced {@link ServiceTable} (the big one: at 10,000 Services, retired
 * generations waiting for a GC used to add up to gigabytes) is
 * freed explicitly by {@link #reclaimer()} once every registered reader has moved past it: each
 * worker's {@code PipelineContext} holds a reader slot, a slow-path reader of
 * {@code services().current()} holds a {@link GenerationReclaimer#pin()} around its use. The
 * policy snapshot is on-heap and the DNS zone's small off-heap answer bodies are still left to
 * the garbage collector (the DNS-on-host server keeps a zone across its threads).
 */
public record FastpathTables(RouteTableRef routes,
                             Published<ServiceTable> services,
                             Published<PolicySnapshot> policies,
                             Published<Zone> dnsZone,
                             GenerationReclaimer reclaimer) {

    /** Tables whose readers register with a reclaimer of their own (nothing retires onto it unless the Published do). */
    public FastpathTables(RouteTableRef routes, Published<ServiceTable> services, Published<PolicySnapshot> policies,
                          Published<Zone> dnsZone) {
        this(routes, services, policies, dnsZone, services.reclaimer() != null ? services.reclaimer() : new GenerationReclaimer());
    }

    /** Empty tables for a fast path that has not heard from the slow path yet; Service tables are reclaimed explicitly. */
    public static FastpathTables empty(RouteTableRef routes) {
        final GenerationReclaimer reclaimer = new GenerationReclaimer();
        return new FastpathTables(routes, new Published<>(null, reclaimer, ServiceTable::free), new Published<>(null),
                new Published<>(null), reclaimer);
    }
}
