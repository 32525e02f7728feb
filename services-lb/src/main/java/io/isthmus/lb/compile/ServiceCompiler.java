package io.isthmus.lb.compile;

import io.isthmus.lb.maglev.MaglevSizing;
import io.isthmus.lb.model.EndpointSlice;
import io.isthmus.lb.model.ProxyLabels;
import io.isthmus.lb.model.Service;
import io.isthmus.lb.model.ServiceName;
import io.isthmus.lb.table.FrontendKey;
import io.isthmus.lb.table.FrontendSpec;
import io.isthmus.lb.table.ServiceTableBuilder;
import io.isthmus.lb.table.StagingBuffers;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Compiles Services and EndpointSlices into {@link io.isthmus.lb.table.ServiceTable} generations
 * with kube-proxy's semantics (see services-lb/README.md for the rules and where each is tested).
 *
 * <p>Incremental: the compiler holds the desired Services and slices ({@link #putService},
 * {@link #removeService}, {@link #putSlice}, {@link #removeSlice}) and one {@link CompiledService}
 * per Service. {@link #compile()} recompiles only the Services whose record or slices changed
 * since the last generation, then assembles the new table from every piece (a copy, no
 * recompilation). {@link #compile(Collection, Collection)} replaces the whole desired state and
 * recompiles every Service; both give the same table for the same history.
 *
 * <p>Between generations the compiler keeps what must be stable or diffed: service-port ids and
 * backend ids (so affinity and metrics survive a new generation; {@link StableIds}), each
 * Service's Maglev tables ({@link MaglevHistory}), and the UDP backends and served UDP frontends
 * of the previous generation (for the conntrack flushes in {@link Compilation}).
 *
 * <p>Thread-safety: none; one slow-path reconciler thread owns it.
 */
public final class ServiceCompiler {

    private record SliceEntry(ServiceName service, EndpointSlice slice) {
    }

    private final MaglevSizing sizing;
    private final String nodeProxyName;
    private long generation;
    private final StableIds servicePortIds = new StableIds();
    private final StableIds backendIds = new StableIds();
    private final ServicePieceCompiler pieces;
    /** Staging arrays reused by every generation's builder (no megabyte-sized garbage per update). */
    private final StagingBuffers staging = new StagingBuffers();

    private final Map<ServiceName, Service> services = new HashMap<>();
    private final Map<String, SliceEntry> slicesByKey = new HashMap<>();
    private final Map<ServiceName, Map<String, EndpointSlice>> slicesByService = new HashMap<>();
    private final Map<String, String> sliceWarnings = new TreeMap<>();
    private final TreeMap<ServiceName, CompiledService> compiled = new TreeMap<>();
    /**
     * {@code compiled}'s values in Service order as an array, and each Service's position in it:
     * the assembly walks this instead of the tree (the tree walk was a fifth of the assembly's
     * samples at 10,000 Services). A recompiled Service is replaced in place; the array is
     * rebuilt only when a Service appears or goes.
     */
    private CompiledService[] ordered = new CompiledService[0];
    private final Map<ServiceName, Integer> orderedIndex = new HashMap<>();
    private final Set<ServiceName> dirty = new HashSet<>();

    private final Map<StaleUdpBackend, Integer> udpBackendUsers = new HashMap<>();
    private Set<FrontendKey> previousServedUdpFrontends = Set.of();

    public ServiceCompiler(NodeContext node, MaglevSizing sizing) {
        this.sizing = sizing;
        this.pieces = new ServicePieceCompiler(node, servicePortIds, backendIds);
        this.nodeProxyName = node.proxyName();
    }

    public ServiceCompiler(NodeContext node) {
        this(node, MaglevSizing.ADAPTIVE);
    }

    /** Adds or replaces a Service (keyed by its namespace/name); it is recompiled by the next {@link #compile()}. */
    public void putService(Service service) {
        Service old = services.put(service.serviceName(), service);
        if (!service.equals(old)) {
            dirty.add(service.serviceName());
        }
    }

    public void removeService(ServiceName name) {
        if (services.remove(name) != null) {
            dirty.add(name);
        }
    }

    /** Adds or replaces the slice stored under {@code key}; the Services it served and serves are recompiled. */
    public void putSlice(String key, EndpointSlice slice) {
        removeSlice(key);
        if (slice.serviceName() == null || slice.serviceName().isEmpty()) {
            sliceWarnings.put(key, "endpointslice " + slice.namespace() + "/" + slice.name() + ": no "
                    + ProxyLabels.SERVICE_NAME + " label, ignored");
            slicesByKey.put(key, new SliceEntry(null, slice));
            return;
        }
        String proxyName = slice.labels().get(ProxyLabels.SERVICE_PROXY_NAME);
        if ((proxyName != null && !proxyName.equals(nodeProxyName)) || slice.labels().containsKey(ProxyLabels.HEADLESS)) {
            slicesByKey.put(key, new SliceEntry(null, slice));
            return;
        }
        ServiceName service = new ServiceName(slice.namespace(), slice.serviceName());
        slicesByKey.put(key, new SliceEntry(service, slice));
        slicesByService.computeIfAbsent(service, k -> new LinkedHashMap<>()).put(key, slice);
        dirty.add(service);
    }

    public void removeSlice(String key) {
        SliceEntry old = slicesByKey.remove(key);
        sliceWarnings.remove(key);
        if (old == null || old.service() == null) {
            return;
        }
        Map<String, EndpointSlice> own = slicesByService.get(old.service());
        own.remove(key);
        if (own.isEmpty()) {
            slicesByService.remove(old.service());
        }
        dirty.add(old.service());
    }

    /** Whether {@link #compile()} has a Service to recompile. */
    public boolean hasChanges() {
        return !dirty.isEmpty();
    }

    /**
     * Replaces the whole desired state with these Services and slices and compiles a generation
     * (every Service is recompiled; ids, Maglev tables and UDP diffs still continue from the
     * previous generation).
     */
    public Compilation compile(Collection<Service> newServices, Collection<EndpointSlice> newSlices) {
        dirty.addAll(services.keySet());
        services.clear();
        slicesByKey.clear();
        slicesByService.clear();
        sliceWarnings.clear();
        for (Service s : newServices) {
            services.put(s.serviceName(), s);
            dirty.add(s.serviceName());
        }
        int i = 0;
        for (EndpointSlice slice : newSlices) {
            putSlice("#" + i++, slice); // keys by position: every slice counts, in the given order
        }
        return compile();
    }

    /** A new generation: recompiles the changed Services, then assembles the table from every piece. */
    public Compilation compile() {
        List<CompiledService> replaced = new ArrayList<>();
        boolean orderChanged = false;
        for (ServiceName name : new TreeSet<>(dirty)) { // sorted: new ids are handed out in Service order
            CompiledService old = compiled.get(name);
            Service service = services.get(name);
            if (service == null) {
                if (old != null) {
                    compiled.remove(name);
                    replaced.add(old);
                    orderChanged = true;
                }
                continue;
            }
            MaglevHistory history = old != null ? old.maglev() : new MaglevHistory(sizing);
            CompiledService piece = pieces.compile(service, slicesByService.getOrDefault(name, Map.of()).values(), history);
            piece.udpBackends().forEach(b -> udpBackendUsers.merge(b, 1, Integer::sum));
            compiled.put(name, piece);
            if (old != null) {
                replaced.add(old);
                if (!orderChanged) {
                    ordered[orderedIndex.get(name)] = piece;
                }
            } else {
                orderChanged = true;
            }
        }
        dirty.clear();
        if (orderChanged) {
            ordered = new CompiledService[compiled.size()];
            orderedIndex.clear();
            int i = 0;
            for (Map.Entry<ServiceName, CompiledService> e : compiled.entrySet()) {
                orderedIndex.put(e.getKey(), i);
                ordered[i++] = e.getValue();
            }
        }
        Set<StaleUdpBackend> staleCandidates = new TreeSet<>();
        for (CompiledService old : replaced) {
            old.servicePortNames().forEach(servicePortIds::release);
            old.backendNames().forEach(backendIds::release);
            for (StaleUdpBackend b : old.udpBackends()) {
                if (udpBackendUsers.merge(b, -1, Integer::sum) == 0) {
                    udpBackendUsers.remove(b);
                    staleCandidates.add(b);
                }
            }
        }
        return assemble(new ArrayList<>(staleCandidates));
    }

    /** The table from every piece, in Service order (the first Service to claim a frontend keeps it). */
    private Compilation assemble(List<StaleUdpBackend> stale) {
        int frontends = 0;
        int backendSlots = 0;
        int maglevBytes = 0;
        for (CompiledService piece : ordered) {
            for (CompiledService.Port port : piece.ports()) {
                frontends += port.frontends().size();
                backendSlots += port.frontends().isEmpty() ? 0 : port.backends().size();
                maglevBytes += port.maglev() == null ? 0 : port.maglev().byteCount();
            }
        }
        ServiceTableBuilder builder = new ServiceTableBuilder(++generation, frontends, backendSlots, maglevBytes, staging);
        List<String> warnings = new ArrayList<>(sliceWarnings.values());
        List<HealthCheckService> healthChecks = new ArrayList<>();
        Set<FrontendKey> servedUdpFrontends = new HashSet<>();
        int ignored = 0;
        for (CompiledService piece : ordered) {
            if (piece.ignored()) {
                ignored++;
                continue;
            }
            if (!piece.warnings().isEmpty()) {
                warnings.addAll(piece.warnings());
            }
            for (CompiledService.Port port : piece.ports()) {
                int maglevBlock = port.maglev() == null ? -1 : builder.addMaglevBlock(port.maglev());
                int rangeBlock = port.sourceRanges() == null ? -1 : builder.addSourceRanges(port.sourceRanges());
                for (CompiledService.Frontend f : port.frontends()) {
                    FrontendSpec spec = new FrontendSpec(f.flags(), port.affinityTimeoutSeconds(), port.backends(),
                            port.clusterFirstSlot(), port.clusterCount(), port.localCount(), maglevBlock,
                            f.loadBalancer() ? rangeBlock : -1, port.servicePortId());
                    if (!builder.addFrontend(f.key(), spec)) {
                        warnings.add("service " + piece.name() + ": frontend " + f.key() + " already belongs to another service, skipped");
                    } else if (port.udpServed()) {
                        servedUdpFrontends.add(f.key());
                    }
                }
            }
            if (piece.healthCheck() != null) {
                healthChecks.add(piece.healthCheck());
            }
        }
        List<FrontendKey> nowServed = servedUdpFrontends.stream().filter(k -> !previousServedUdpFrontends.contains(k))
                .sorted((a, b) -> a.toString().compareTo(b.toString())).toList();
        previousServedUdpFrontends = servedUdpFrontends;
        return new Compilation(builder.build(), stale, nowServed, healthChecks, warnings, ignored);
    }

    /** Names holding a service-port id now (for tests: ids are forgotten with their last user). */
    int servicePortIdsHeld() {
        return servicePortIds.size();
    }
}
