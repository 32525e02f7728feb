package io.isthmus.lb.compile;

import io.isthmus.lb.ip.IpCidr;
import io.isthmus.lb.model.ServiceName;
import io.isthmus.lb.table.BackendSlot;
import io.isthmus.lb.table.FrontendKey;
import io.isthmus.lb.table.ServiceTableBuilder;
import java.util.List;
import java.util.Set;

/**
 * Everything one Service compiles to, kept between generations so that a change recompiles only
 * the Services it touches and a new {@link io.isthmus.lb.table.ServiceTable} is assembled from
 * these pieces ({@link ServiceCompiler}). Offsets into the table (Maglev block, backend base,
 * source-range block) are not part of a piece: the assembly assigns them.
 *
 * @param ignored         left alone by this proxy (another proxy's, headless, ExternalName)
 * @param ports           one entry per service port and IP family that has frontends, in compile order
 * @param healthCheck     the health-check node port, or null
 * @param warnings        objects or fields skipped while compiling this Service
 * @param udpBackends     the UDP backends this Service uses (for stale-backend flushes)
 * @param servicePortNames the names whose service-port ids this piece holds ({@link StableIds})
 * @param backendNames    the names whose backend ids this piece holds
 * @param maglev          this Service's Maglev tables, the history of its next recompilation
 *
 * <p>Thread-safety: immutable once built, except {@code maglev}, which only the owning
 * compiler's thread touches when it recompiles this Service.
 */
record CompiledService(ServiceName name, boolean ignored, List<Port> ports, HealthCheckService healthCheck,
                       List<String> warnings, Set<StaleUdpBackend> udpBackends,
                       List<String> servicePortNames, List<String> backendNames, MaglevHistory maglev) {

    /** One frontend of a port: its key and slot-0 flags; {@code loadBalancer} ones use the source ranges. */
    record Frontend(FrontendKey key, int flags, boolean loadBalancer) {
    }

    /**
     * One service port in one IP family.
     *
     * @param maglev         the Maglev slots of the cluster set then of the local set (if the
     *                       traffic policy uses it), checked; null when there are no backends
     * @param sourceRanges   the loadBalancerSourceRanges of this family, or null when the Service has none
     * @param udpServed      a UDP port with usable endpoints (its frontends count as served)
     */
    record Port(List<BackendSlot> backends, int clusterFirstSlot, int clusterCount, int localCount,
                ServiceTableBuilder.MaglevBlock maglev, int affinityTimeoutSeconds, int servicePortId,
                List<IpCidr> sourceRanges, List<Frontend> frontends, boolean udpServed) {
    }
}
