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
import io.isthmus.lb.model.EndpointSlice;
import io.isthmus.lb.model.Protocol;
import io.isthmus.lb.model.ProxyLabels;
import io.isthmus.lb.model.Service;
import io.isthmus.lb.model.ServicePort;
import io.isthmus.lb.model.ServiceType;
import io.isthmus.lb.model.SessionAffinity;
import io.isthmus.lb.model.TrafficPolicy;
import io.isthmus.lb.table.BackendSlot;
import io.isthmus.lb.table.FrontendKey;
import io.isthmus.lb.table.ServiceTableBuilder;
import io.isthmus.lb.table.ServiceTableDescriptor;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Compiles ONE Service and its EndpointSlices into a {@link CompiledService} with kube-proxy's
 * semantics (see services-lb/README.md for the rules and where each is tested). Ids come from the
 * shared {@link StableIds}; Maglev tables update the Service's own {@link MaglevHistory}.
 *
 * <p>Thread-safety: none; used by the {@link ServiceCompiler}'s thread only.
 */
final class ServicePieceCompiler {

    private final NodeContext node;
    private final StableIds servicePortIds;
    private final StableIds backendIds;

    ServicePieceCompiler(NodeContext node, StableIds servicePortIds, StableIds backendIds) {
        this.node = node;
        this.servicePortIds = servicePortIds;
        this.backendIds = backendIds;
    }

    /** @param maglev the Service's Maglev history (its previous tables), updated in place */
    CompiledService compile(Service service, Collection<EndpointSlice> own, MaglevHistory maglev) {
        if (!handledByThisProxy(service)) {
            return new CompiledService(service.serviceName(), true, List.of(), null, List.of(), Set.of(), List.of(), List.of(), maglev);
        }
        List<String> warnings = new ArrayList<>();
        List<CompiledService.Port> ports = new ArrayList<>();
        Set<StaleUdpBackend> udpBackends = new HashSet<>();
        List<String> servicePortNames = new ArrayList<>();
        List<String> backendNames = new ArrayList<>();
        ServiceFrontends frontends = ServiceFrontends.of(service, node, warnings);
        Set<IpAddress> localReady = new HashSet<>();
        maglev.beginGeneration();
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
                ports.add(compilePort(service, port, ipv6, frontends, EndpointCategorizer.categorize(endpoints), maglev,
                        udpBackends, servicePortNames, backendNames));
            }
        }
        maglev.endGeneration();
        HealthCheckService healthCheck = null;
        if (service.type() == ServiceType.LOAD_BALANCER && service.externalTrafficPolicy() == TrafficPolicy.LOCAL
                && service.healthCheckNodePort() > 0) {
            healthCheck = new HealthCheckService(service.serviceName(), service.healthCheckNodePort(), localReady.size());
        }
        return new CompiledService(service.serviceName(), false, List.copyOf(ports), healthCheck, List.copyOf(warnings),
                Set.copyOf(udpBackends), servicePortNames, backendNames, maglev);
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

    private CompiledService.Port compilePort(Service service, ServicePort port, boolean ipv6, ServiceFrontends frontends,
                                             EndpointCategorizer.Sets sets, MaglevHistory maglev, Set<StaleUdpBackend> udpBackends,
                                             List<String> servicePortNames, List<String> backendNames) {
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
        int servicePortId = servicePortIds.acquire(servicePortKey);
        servicePortNames.add(servicePortKey);
        List<BackendSlot> backends = new ArrayList<>(slotOrder.size());
        for (CandidateEndpoint e : slotOrder) {
            int flags = (e.local() ? BACKEND_LOCAL : 0) | (e.terminating() ? BACKEND_TERMINATING : 0);
            String backendName = e.maglevName() + "/" + port.protocol();
            backends.add(new BackendSlot(e.address(), e.port(), flags, backendIds.acquire(backendName)));
            backendNames.add(backendName);
            if (port.protocol() == Protocol.UDP) {
                udpBackends.add(StaleUdpBackend.udp(e.address(), e.port()));
            }
        }

        boolean localPolicy = service.externalTrafficPolicy() == TrafficPolicy.LOCAL
                || service.internalTrafficPolicy() == TrafficPolicy.LOCAL;
        int[] clusterEntries = null;
        int[] localEntries = null;
        if (clusterCount > 0) {
            String setKey = servicePortKey + (ipv6 ? "/ipv6" : "/ipv4");
            int sizeM = maglev.sizeFor(setKey + "/cluster", clusterCount);
            clusterEntries = asSlots(maglev.entriesFor(setKey + "/cluster",
                    slotOrder.subList(clusterFirst - 1, clusterFirst - 1 + clusterCount), sizeM), clusterFirst);
            localEntries = localPolicy && localCount > 0
                    ? asSlots(maglev.entriesFor(setKey + "/local", slotOrder.subList(0, localCount), sizeM), 1)
                    : null;
        }

        int common = (service.sessionAffinity() == SessionAffinity.CLIENT_IP ? FLAG_AFFINITY_CLIENT_IP : 0)
                | (service.externalTrafficPolicy() == TrafficPolicy.LOCAL ? FLAG_EXTERNAL_POLICY_LOCAL : 0)
                | (service.internalTrafficPolicy() == TrafficPolicy.LOCAL ? FLAG_INTERNAL_POLICY_LOCAL : 0);
        int timeout = service.sessionAffinity() == SessionAffinity.CLIENT_IP ? service.effectiveAffinityTimeoutSeconds() : 0;

        List<CompiledService.Frontend> out = new ArrayList<>();
        for (IpAddress vip : frontends.clusterIPs(ipv6)) {
            out.add(new CompiledService.Frontend(new FrontendKey(vip, port.port(), port.protocol()), common | FLAG_CLUSTER_IP, false));
        }
        if (port.nodePort() > 0 && (service.type() == ServiceType.NODE_PORT || service.type() == ServiceType.LOAD_BALANCER)) {
            for (IpAddress nodeAddress : node.nodeAddresses()) {
                if (nodeAddress.isIpv4() == ipv6) {
                    continue;
                }
                out.add(new CompiledService.Frontend(new FrontendKey(nodeAddress, port.nodePort(), port.protocol()), common | FLAG_NODE_PORT, false));
            }
        }
        for (IpAddress externalIp : frontends.externalIPs(ipv6)) {
            out.add(new CompiledService.Frontend(new FrontendKey(externalIp, port.port(), port.protocol()), common | FLAG_EXTERNAL_IP, false));
        }
        // loadBalancerSourceRanges filter LoadBalancer-IP traffic only; a Service restricted to
        // ranges of the other family gets an empty list here and admits nobody of this family.
        int lbFlags = common | FLAG_LOAD_BALANCER | (frontends.hasSourceRanges() ? FLAG_SOURCE_RANGES : 0);
        for (IpAddress lbIp : frontends.loadBalancerIPs(ipv6)) {
            out.add(new CompiledService.Frontend(new FrontendKey(lbIp, port.port(), port.protocol()), lbFlags, true));
        }
        return new CompiledService.Port(List.copyOf(backends), clusterFirst, clusterCount, localCount,
                clusterEntries == null ? null : ServiceTableBuilder.maglevBlock(clusterEntries, localEntries),
                timeout, servicePortId, frontends.hasSourceRanges() ? List.copyOf(frontends.sourceRanges(ipv6)) : null,
                List.copyOf(out), port.protocol() == Protocol.UDP && clusterCount > 0);
    }

    /** Maglev entries (indexes into a set) turned into slot numbers, the set starting at {@code firstSlot}. */
    private static int[] asSlots(int[] entries, int firstSlot) {
        int[] slots = new int[entries.length];
        for (int i = 0; i < entries.length; i++) {
            slots[i] = entries[i] + firstSlot;
        }
        return slots;
    }
}
