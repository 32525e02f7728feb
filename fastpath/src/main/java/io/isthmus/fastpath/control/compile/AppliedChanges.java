package io.isthmus.fastpath.control.compile;

import io.isthmus.lb.compile.Compilation;

import java.util.List;

/**
 * What one {@link io.isthmus.fastpath.control.DesiredStateTables#applyPending()} published.
 *
 * @param serviceGeneration the ServiceTable generation published, 0 when the services did not change
 * @param policyGeneration  the PolicySnapshot generation published, 0 when policies did not change
 * @param zoneSerial        the DNS zone's SOA serial published, 0 when the zone did not change
 * @param services          the load-balancer compilation (stale UDP backends to flush, health
 *                          checks), null when the services did not change
 * @param warnings          what the compilers skipped, each naming the object and the reason
 * @param compileNs         time spent compiling, for the control agent's metrics
 */
public record AppliedChanges(long serviceGeneration, long policyGeneration, long zoneSerial,
                             Compilation services, List<String> warnings, long compileNs) {

    public static final AppliedChanges NOTHING = new AppliedChanges(0, 0, 0, null, List.of(), 0);

    public boolean anything() {
        return serviceGeneration != 0 || policyGeneration != 0 || zoneSerial != 0;
    }
}
