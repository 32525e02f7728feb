package io.isthmus.lb.compile;

import static io.isthmus.lb.table.ServiceTableDescriptor.BACKEND_LOCAL;
import static io.isthmus.lb.table.ServiceTableDescriptor.BACKEND_TERMINATING;
import static io.isthmus.lb.table.ServiceTableDescriptor.FLAG_AFFINITY_CLIENT_IP;
import static io.isthmus.lb.table.ServiceTableDescriptor.FLAG_CLUSTER_IP;
import static io.isthmus.lb.table.ServiceTableDescriptor.FLAG_EXTERNAL_IP;
import static io.isthmus.lb.table.ServiceTableDescriptor.FLAG_EXTERNAL_POLICY_LOCAL;
import static io.isthmus.lb.table.ServiceTableDescriptor.FLAG_INTERNAL_POLICY_LOCAL;
import static io.isthmus.lb.table.ServiceTableDescriptor.FLAG_LOAD_BALANCER;
import static io.isthmus.lb.table.ServiceTableDescriptor.FLAG_NODE_PORT;
import static io.isthmus.lb.table.ServiceTableDescriptor.FLAG_SOURCE_RANGES;

import io.isthmus.lb.ip.IpAddress;
import io.isthmus.lb.maglev.MaglevSizing;
import io.isthmus.lb.model.EndpointSlice;
import io.isthmus.lb.model.Protocol;
import io.isthmus.lb.model.ProxyLabels;
import io.isthmus.lb.model.Service;
import io.isthmus.lb.model.ServiceName;
import io.isthmus.lb.model.ServicePort;
import io.isthmus.lb.model.ServiceType;
import io.isthmus.lb.model.SessionAffinity;
import io.isthmus.lb.model.TrafficPolicy;
import io.isthmus.lb.table.BackendSlot;
import io.isthmus.lb.table.FrontendKey;
import io.isthmus.lb.table.FrontendSpec;
import io.isthmus.lb.table.ServiceTableBuilder;
import io.isthmus.lb.table.ServiceTableDescriptor;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Compiles Services and EndpointSlices into a {@link io.isthmus.lb.table.ServiceTable} with
 * kube-proxy's semantics (see services-lb/README.md for the rules and where each is tested).
 *
 * <p>Each call compiles the whole desired state from scratch; the compiler remembers, between
 * calls, only what must be stable or diffed: service-port ids and backend ids (so affinity and
 * metrics survive a new generation) and the previous UDP backends and served UDP frontends (for
 * the conntrack flushes in {@link Compilation}).
 *
 * <p>Thread-safety: none; one slow-path reconciler thread owns it.
 */
public final class ServiceCompiler {

    private final NodeContext node;
    private long generation;
    private final StableIds servicePortIds = new StableIds();
    private final StableIds backendIds = new StableIds();
    private final MaglevHistory maglevHistory;
    private Set<StaleUdpBackend> previousUdpBackends = Set.of();
    private Set<FrontendKey> previousServedUdpFrontends = Set.of();

    public ServiceCompiler(NodeContext node, MaglevSizing sizing) {
        this.node = node;
        this.maglevHistory = new MaglevHistory(sizing);
    }

    public ServiceCompiler(NodeContext node) {
        this(node, MaglevSizing.ADAPTIVE);
    }

    public Compilation compile(Collection<Service> services, Collection<EndpointSlice> slices) {
        List<String> warnings = new ArrayList<>();
        Map<ServiceName, List<EndpointSlice>> slicesByService = slicesByService(slices, warnings);
        List<Service> sorted = new ArrayList<>(services);
        sorted.sort((a, b) -> a.serviceName().compareTo(b.serviceName()));

        ServiceTableBuilder builder = new ServiceTableBuilder(++generation);
        Set<StaleUdpBackend> udpBackends = new HashSet<>();
        Set<FrontendKey> servedUdpFrontends = new HashSet<>();
        List<HealthCheckService> healthChecks = new ArrayList<>();
        servicePortIds.beginGeneration();
        backendIds.beginGeneration();
        maglevHistory.beginGeneration();
        int ignored = 0;
        for (Service service : sorted) {
            if (!handledByThisProxy(service)) {
                ignored++;
                continue;
            }
            List<EndpointSlice> own = slicesByService.getOrDefault(service.serviceName(), List.of());
            ServiceFrontends frontends = ServiceFrontends.of(service, node, warnings);
            Set<IpAddress> localReady = new HashSet<>();
            for (ServicePort port : service.ports()) {
                for (boolean ipv6 : new boolean[] {false, true}) {
                    if (frontends.clusterIPs(ipv6).isEmpty()) {
                        continue; // kube-proxy's per-family proxier only sees Services with a cluster IP of its family
                    }
                    List<CandidateEndpoint> endpoints = EndpointCollector.collect(own, port.name(), port.protocol(), ipv6, node.nodeName(), warnings);
                    if (endpoints.size() > ServiceTableDescriptor.MAX_BACKEND_SLOTS) {
                        warnings.add("service " + service.serviceName() + " port " + port.name() + ": " + endpoints.size()
                                + " endpoints, only the first " + ServiceTableDescriptor.MAX_BACKEND_SLOTS + " (by address) are used");
                        endpoints = endpoints.subList(0, ServiceTableDescriptor.MAX_BACKEND_SLOTS);
                    }
                    endpoints.stream().filter(e -> e.local() && e.ready()).forEach(e -> localReady.add(e.address()));
                    compilePort(builder, service, port, ipv6, frontends, EndpointCategorizer.categorize(endpoints),
                            udpBackends, servedUdpFrontends, warnings);
                }
            }
            if (service.type() == ServiceType.LOAD_BALANCER && service.externalTrafficPolicy() == TrafficPolicy.LOCAL
                    && service.healthCheckNodePort() > 0) {
                healthChecks.add(new HealthCheckService(service.serviceName(), service.healthCheckNodePort(), localReady.size()));
            }
        }
        servicePortIds.endGeneration();
        backendIds.endGeneration();
        maglevHistory.endGeneration();

        List<StaleUdpBackend> stale = new ArrayList<>(new TreeSet<>(difference(previousUdpBackends, udpBackends)));
        List<FrontendKey> nowServed = servedUdpFrontends.stream().filter(k -> !previousServedUdpFrontends.contains(k))
                .sorted((a, b) -> a.toString().compareTo(b.toString())).toList();
        previousUdpBackends = udpBackends;
        previousServedUdpFrontends = servedUdpFrontends;
        return new Compilation(builder.build(), stale, nowServed, healthChecks, warnings, ignored);
    }

    /**
     * The proxy-name and headless labels, as kube-proxy's informers filter on them; plus
     * ExternalName and headless Services, which have no virtual IP.
     */
    private boolean handledByThisProxy(Service service) {
        String proxyName = service.labels().get(ProxyLabels.SERVICE_PROXY_NAME);
        if (proxyName != null && !proxyName.equals(node.proxyName())) {
            return false;
        }
        if (service.labels().containsKey(ProxyLabels.HEADLESS)) {
            return false;
        }
        return service.type() != ServiceType.EXTERNAL_NAME && !service.headless();
    }

    private Map<ServiceName, List<EndpointSlice>> slicesByService(Collection<EndpointSlice> slices, List<String> warnings) {
        Map<ServiceName, List<EndpointSlice>> out = new HashMap<>();
        for (EndpointSlice slice : slices) {
            if (slice.serviceName() == null || slice.serviceName().isEmpty()) {
                warnings.add("endpointslice " + slice.namespace() + "/" + slice.name() + ": no " + ProxyLabels.SERVICE_NAME + " label, ignored");
                continue;
            }
            String proxyName = slice.labels().get(ProxyLabels.SERVICE_PROXY_NAME);
            if ((proxyName != null && !proxyName.equals(node.proxyName())) || slice.labels().containsKey(ProxyLabels.HEADLESS)) {
                continue;
            }
            out.computeIfAbsent(new ServiceName(slice.namespace(), slice.serviceName()), k -> new ArrayList<>()).add(slice);
        }
        return out;
    }

    private void compilePort(ServiceTableBuilder builder, Service service, ServicePort port, boolean ipv6,
                             ServiceFrontends frontends, EndpointCategorizer.Sets sets,
                             Set<StaleUdpBackend> udpBackends, Set<FrontendKey> servedUdpFrontends, List<String> warnings) {
        // Slot order [local only][local and cluster][cluster only]: both sets contiguous.
        Set<CandidateEndpoint> clusterSet = new LinkedHashSet<>(sets.cluster());
        Set<CandidateEndpoint> localSet = new LinkedHashSet<>(sets.local());
        List<CandidateEndpoint> slotOrder = new ArrayList<>();
        sets.local().stream().filter(e -> !clusterSet.contains(e)).forEach(slotOrder::add);
        sets.local().stream().filter(clusterSet::contains).forEach(slotOrder::add);
        sets.cluster().stream().filter(e -> !localSet.contains(e)).forEach(slotOrder::add);
        int localCount = localSet.size();
        int clusterCount = clusterSet.size();
        int localOnlyCount = (int) sets.local().stream().filter(e -> !clusterSet.contains(e)).count();
        int clusterFirst = 1 + localOnlyCount;

        String servicePortKey = service.serviceName() + ":" + port.name() + "/" + port.protocol();
        int servicePortId = servicePortIds.idOf(servicePortKey);
        List<BackendSlot> backends = new ArrayList<>(slotOrder.size());
        for (CandidateEndpoint e : slotOrder) {
            int flags = (e.local() ? BACKEND_LOCAL : 0) | (e.terminating() ? BACKEND_TERMINATING : 0);
            backends.add(new BackendSlot(e.address(), e.port(), flags, backendIds.idOf(e.maglevName() + "/" + port.protocol())));
            if (port.protocol() == Protocol.UDP) {
                udpBackends.add(StaleUdpBackend.udp(e.address(), e.port()));
            }
        }

        boolean localPolicy = service.externalTrafficPolicy() == TrafficPolicy.LOCAL
                || service.internalTrafficPolicy() == TrafficPolicy.LOCAL;
        int maglevBlock = -1;
        if (clusterCount > 0) {
            String setKey = servicePortKey + (ipv6 ? "/ipv6" : "/ipv4");
            int sizeM = maglevHistory.sizeFor(setKey + "/cluster", clusterCount);
            int[] clusterEntries = asSlots(maglevHistory.entriesFor(setKey + "/cluster",
                    slotOrder.subList(clusterFirst - 1, clusterFirst - 1 + clusterCount), sizeM), clusterFirst);
            int[] localEntries = localPolicy && localCount > 0
                    ? asSlots(maglevHistory.entriesFor(setKey + "/local", slotOrder.subList(0, localCount), sizeM), 1)
                    : null;
            maglevBlock = builder.addMaglevBlock(clusterEntries, localEntries);
        }

        int common = (service.sessionAffinity() == SessionAffinity.CLIENT_IP ? FLAG_AFFINITY_CLIENT_IP : 0)
                | (service.externalTrafficPolicy() == TrafficPolicy.LOCAL ? FLAG_EXTERNAL_POLICY_LOCAL : 0)
                | (service.internalTrafficPolicy() == TrafficPolicy.LOCAL ? FLAG_INTERNAL_POLICY_LOCAL : 0);
        int timeout = service.sessionAffinity() == SessionAffinity.CLIENT_IP ? service.effectiveAffinityTimeoutSeconds() : 0;

        List<FrontendKey> added = new ArrayList<>();
        for (IpAddress vip : frontends.clusterIPs(ipv6)) {
            add(builder, service, new FrontendKey(vip, port.port(), port.protocol()),
                    new FrontendSpec(common | FLAG_CLUSTER_IP, timeout, backends, clusterFirst, clusterCount, localCount, maglevBlock, -1, servicePortId),
                    added, warnings);
        }
        if (port.nodePort() > 0 && (service.type() == ServiceType.NODE_PORT || service.type() == ServiceType.LOAD_BALANCER)) {
            for (IpAddress nodeAddress : node.nodeAddresses()) {
                if (nodeAddress.isIpv4() == ipv6) {
                    continue;
                }
                add(builder, service, new FrontendKey(nodeAddress, port.nodePort(), port.protocol()),
                        new FrontendSpec(common | FLAG_NODE_PORT, timeout, backends, clusterFirst, clusterCount, localCount, maglevBlock, -1, servicePortId),
                        added, warnings);
            }
        }
        for (IpAddress externalIp : frontends.externalIPs(ipv6)) {
            add(builder, service, new FrontendKey(externalIp, port.port(), port.protocol()),
                    new FrontendSpec(common | FLAG_EXTERNAL_IP, timeout, backends, clusterFirst, clusterCount, localCount, maglevBlock, -1, servicePortId),
                    added, warnings);
        }
        // loadBalancerSourceRanges filter LoadBalancer-IP traffic only; a Service restricted to
        // ranges of the other family gets an empty list here and admits nobody of this family.
        int rangeBlock = frontends.hasSourceRanges() ? builder.addSourceRanges(frontends.sourceRanges(ipv6)) : -1;
        int lbFlags = common | FLAG_LOAD_BALANCER | (frontends.hasSourceRanges() ? FLAG_SOURCE_RANGES : 0);
        for (IpAddress lbIp : frontends.loadBalancerIPs(ipv6)) {
            add(builder, service, new FrontendKey(lbIp, port.port(), port.protocol()),
                    new FrontendSpec(lbFlags, timeout, backends, clusterFirst, clusterCount, localCount, maglevBlock, rangeBlock, servicePortId),
                    added, warnings);
        }
        if (port.protocol() == Protocol.UDP && clusterCount > 0) {
            servedUdpFrontends.addAll(added);
        }
    }

    /** Maglev entries (indexes into a set) turned into slot numbers, the set starting at {@code firstSlot}. */
    private static int[] asSlots(int[] entries, int firstSlot) {
        int[] slots = new int[entries.length];
        for (int i = 0; i < entries.length; i++) {
            slots[i] = entries[i] + firstSlot;
        }
        return slots;
    }

    private static void add(ServiceTableBuilder builder, Service service, FrontendKey key, FrontendSpec spec,
                            List<FrontendKey> added, List<String> warnings) {
        if (builder.addFrontend(key, spec)) {
            added.add(key);
        } else {
            warnings.add("service " + service.serviceName() + ": frontend " + key + " already belongs to another service, skipped");
        }
    }

    private static <T> Set<T> difference(Set<T> a, Set<T> b) {
        Set<T> out = new HashSet<>(a);
        out.removeAll(b);
        return out;
    }
}
