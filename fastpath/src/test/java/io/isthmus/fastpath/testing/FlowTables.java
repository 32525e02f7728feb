package io.isthmus.fastpath.testing;

import io.isthmus.conntrack.Addresses;
import io.isthmus.conntrack.ConntrackTable;
import io.isthmus.conntrack.ConntrackTimeouts;
import io.isthmus.conntrack.nat.SnatPortPool;
import io.isthmus.fastpath.control.FastpathTables;
import io.isthmus.fastpath.control.Published;
import io.isthmus.fastpath.packet.Ipv4Address;
import io.isthmus.fastpath.pipeline.FlowSettings;
import io.isthmus.fastpath.pipeline.RouteTable;
import io.isthmus.fastpath.pipeline.RouteTableRef;
import io.isthmus.lb.compile.NodeContext;
import io.isthmus.lb.compile.ServiceCompiler;
import io.isthmus.lb.model.Endpoint;
import io.isthmus.lb.model.EndpointConditions;
import io.isthmus.lb.model.EndpointPort;
import io.isthmus.lb.model.EndpointSlice;
import io.isthmus.lb.model.AddressType;
import io.isthmus.lb.model.Protocol;
import io.isthmus.lb.model.Service;
import io.isthmus.lb.table.ServiceTable;
import io.isthmus.policy.compile.PolicyCompiler;
import io.isthmus.policy.compile.PolicySnapshot;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The tables of a flow test, compiled from the libraries' model records (no Kubernetes): routes,
 * a Service table from {@link Service}s and {@link EndpointSlice}s, a policy snapshot from a
 * {@link PolicyCompiler}, and an in-memory conntrack table whose SNAT pool serves the node address
 * (TCP and UDP, ports {@value #SNAT_FIRST_PORT}..{@value #SNAT_LAST_PORT}).
 */
public final class FlowTables {
    public static final String NODE_NAME = "node-a";
    public static final int SNAT_FIRST_PORT = 32768;
    public static final int SNAT_LAST_PORT = 60999;

    private final RouteTableRef routes;
    private final Published<ServiceTable> services = new Published<>(null);
    private final Published<PolicySnapshot> policies = new Published<>(null);
    private final FastpathTables tables;
    private final FlowSettings settings;
    private final ConntrackTable conntrack;
    private final List<Service> serviceModels = new ArrayList<>();
    private final List<EndpointSlice> slices = new ArrayList<>();

    public FlowTables(RouteTable routeTable) {
        this(routeTable, FlowSettings.defaults());
    }

    public FlowTables(RouteTable routeTable, FlowSettings settings) {
        this(routeTable, settings, SNAT_FIRST_PORT, SNAT_LAST_PORT);
    }

    /** With the SNAT ports {@code firstSnatPort..lastSnatPort} (one port makes the choice predictable). */
    public FlowTables(RouteTable routeTable, FlowSettings settings, int firstSnatPort, int lastSnatPort) {
        this.routes = new RouteTableRef(routeTable);
        this.tables = new FastpathTables(routes, services, policies, new Published<>(null));
        this.settings = settings;
        final long nodeLo = Addresses.ipv4Lo(settings.nodeIpv4());
        final SnatPortPool pool = new SnatPortPool()
                .register(Addresses.IPV4_MAPPED_HI, nodeLo, 6, firstSnatPort, lastSnatPort)
                .register(Addresses.IPV4_MAPPED_HI, nodeLo, 17, firstSnatPort, lastSnatPort);
        this.conntrack = ConntrackTable.createInMemory(4096, ConntrackTimeouts.linuxDefaults(), pool);
    }

    /** Adds a ClusterIP Service {@code name} at {@code clusterIp:port/protocol} with ready endpoints {@code backends} on {@code targetPort}; recompiles. */
    public FlowTables clusterIpService(String name, String clusterIp, Protocol protocol, int port, int targetPort, String... backends) {
        serviceModels.add(Service.builder("default", name).clusterIPs(clusterIp)
                .port(new io.isthmus.lb.model.ServicePort("p", protocol, port, io.isthmus.lb.model.TargetPort.of(targetPort), 0)).build());
        final List<Endpoint> endpoints = new ArrayList<>();
        for (String backend : backends) {
            endpoints.add(Endpoint.of(backend, EndpointConditions.READY, NODE_NAME));
        }
        slices.add(new EndpointSlice("default", name + "-1", name, AddressType.IPV4, endpoints,
                List.of(EndpointPort.of("p", protocol, targetPort)), Map.of()));
        return compileServices();
    }

    /** Adds a Service as given (with its slices) and recompiles. */
    public FlowTables service(Service service, EndpointSlice... serviceSlices) {
        serviceModels.add(service);
        slices.addAll(List.of(serviceSlices));
        return compileServices();
    }

    private FlowTables compileServices() {
        final String node = Ipv4Address.format(settings.nodeIpv4());
        services.publish(new ServiceCompiler(NodeContext.of(NODE_NAME, node)).compile(serviceModels, slices).table());
        return this;
    }

    /** Publishes the compiler's next snapshot. */
    public FlowTables policy(PolicyCompiler compiler) {
        policies.publish(compiler.snapshot());
        return this;
    }

    public FastpathTables tables() {
        return tables;
    }

    public FlowSettings settings() {
        return settings;
    }

    public ConntrackTable conntrack() {
        return conntrack;
    }

    public ServiceTable serviceTable() {
        return services.current();
    }
}
