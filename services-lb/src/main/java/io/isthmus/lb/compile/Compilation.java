package io.isthmus.lb.compile;

import io.isthmus.lb.table.FrontendKey;
import io.isthmus.lb.table.ServiceTable;
import java.util.List;

/**
 * The result of one compilation.
 *
 * @param table                   the new immutable generation to publish to the fast path
 * @param staleUdpBackends        UDP backends gone since the previous compilation: flush their conntrack entries
 * @param udpFrontendsNowServed   UDP frontends that had no usable endpoint before and have one now:
 *                                flush entries to them (created while they answered REJECT), as kube-proxy does
 * @param healthChecks            health-check node ports to serve, with local ready endpoint counts
 * @param warnings                objects or fields skipped, each naming the object and the reason
 * @param ignoredServices         Services left alone (another proxy's, headless, ExternalName)
 */
public record Compilation(ServiceTable table, List<StaleUdpBackend> staleUdpBackends,
                          List<FrontendKey> udpFrontendsNowServed, List<HealthCheckService> healthChecks,
                          List<String> warnings, int ignoredServices) {
}
