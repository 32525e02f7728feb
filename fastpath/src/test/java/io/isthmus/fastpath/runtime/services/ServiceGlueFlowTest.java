package io.isthmus.fastpath.runtime.services;

import io.isthmus.conntrack.Addresses;
import io.isthmus.conntrack.ConntrackTable;
import io.isthmus.conntrack.ConntrackTimeouts;
import io.isthmus.conntrack.nat.SnatPortPool;
import io.isthmus.fastpath.control.DesiredKind;
import io.isthmus.fastpath.control.DesiredStateTables;
import io.isthmus.fastpath.control.FastpathTables;
import io.isthmus.fastpath.control.compile.NodeSettings;
import io.isthmus.fastpath.pipeline.FlowSettings;
import io.isthmus.fastpath.pipeline.RouteTableRef;
import io.isthmus.fastpath.testing.FlowFrames;
import io.isthmus.fastpath.testing.PipelineHarness;
import io.isthmus.fastpath.testing.ThreePods;
import io.isthmus.lb.affinity.AffinityTable;
import io.isthmus.lb.compile.HealthCheckService;
import io.isthmus.lb.model.AddressType;
import io.isthmus.lb.model.Endpoint;
import io.isthmus.lb.model.EndpointConditions;
import io.isthmus.lb.model.EndpointPort;
import io.isthmus.lb.model.EndpointSlice;
import io.isthmus.lb.model.Protocol;
import io.isthmus.lb.model.Service;
import io.isthmus.lb.model.ServicePort;
import io.isthmus.lb.model.TargetPort;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.isthmus.fastpath.testing.ThreePods.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Service glue over the whole in-memory flow pipeline, with the table compiled the way the
 * runtime does it ({@link DesiredStateTables} records, {@link ServiceCompileCycle} after each
 * cycle): ClientIP affinity keeps one client on one backend, and a UDP flow whose backend goes
 * away moves to the live one at its next datagram.
 */
class ServiceGlueFlowTest {
    static final String NODE = "node-a";
    static final int CONNECTIONS = 24;

    private final RouteTableRef routes = new RouteTableRef(ThreePods.routes());
    private final FastpathTables tables = FastpathTables.empty(routes);
    private final DesiredStateTables desired = new DesiredStateTables(tables, NodeSettings.of(NODE, "169.254.1.1"));
    private final List<List<HealthCheckService>> healthChecks = new ArrayList<>();
    private final ServiceCompileCycle cycle = new ServiceCompileCycle(healthChecks::add);
    private final ConntrackTable conntrack = ConntrackTable.createInMemory(4096, ConntrackTimeouts.linuxDefaults(),
            new SnatPortPool().register(Addresses.IPV4_MAPPED_HI, Addresses.ipv4Lo(GATEWAY), 6, 32768, 60999)
                    .register(Addresses.IPV4_MAPPED_HI, Addresses.ipv4Lo(GATEWAY), 17, 32768, 60999));
    private AffinityTable affinity;
    private PipelineHarness harness;

    @AfterEach
    void close() {
        if (harness != null) {
            harness.close();
        }
        if (affinity != null) {
            affinity.close();
        }
        conntrack.close();
    }

    private void start(FlowSettings settings) {
        harness = ThreePods.learnPods(new PipelineHarness(tables, conntrack, settings, ThreePods.PORTS));
    }

    private void service(Service.Builder builder, Protocol protocol, String... backends) {
        desired.upsert(DesiredKind.LB_SERVICE, "default/web", builder
                .port(new ServicePort("p", protocol, 80, TargetPort.of(8080), 0)).build());
        endpoints(protocol, backends);
    }

    private void endpoints(Protocol protocol, String... backends) {
        final List<Endpoint> endpoints = new ArrayList<>();
        for (String backend : backends) {
            endpoints.add(Endpoint.of(backend, EndpointConditions.READY, NODE));
        }
        desired.upsert(DesiredKind.LB_ENDPOINT_SLICE, "default/web-1", new EndpointSlice("default", "web-1", "web",
                AddressType.IPV4, endpoints, List.of(EndpointPort.of("p", protocol, 8080)), Map.of()));
        cycle.accept(desired, conntrack);
    }

    /** Sends one frame from pod A and returns the port it left on (-1: none, -2: several). */
    private int sendFromA(byte[] frame) {
        harness.send(0, frame);
        harness.run();
        int out = -1;
        for (int p = 0; p < 3; p++) {
            final int sent = harness.transmitted(p).size();
            if (sent != 0) {
                out = out == -1 && sent == 1 ? p : -2;
            }
        }
        return out;
    }

    private int[] synsPerBackendPort() {
        final int[] perPort = new int[3];
        for (int i = 0; i < CONNECTIONS; i++) {
            final int out = sendFromA(FlowFrames.tcp(SWITCH_0, MAC_A, POD_A, 41000 + i, VIP, 80, 1, 0, FlowFrames.SYN, new byte[0]));
            assertTrue(out == 1 || out == 2, "SYN " + i + " left on " + out);
            perPort[out]++;
        }
        return perPort;
    }

    @Test
    void clientIpAffinitySendsEveryConnectionOfOneClientToOneBackend() {
        affinity = new AffinityTable(1024);
        start(ServiceAffinity.withTable(FlowSettings.defaults(), affinity));
        service(Service.builder("default", "web").clusterIPs("10.96.0.10").sessionAffinityClientIP(10_800), Protocol.TCP,
                "10.244.1.3", "10.244.1.4");
        final int[] perPort = synsPerBackendPort();
        assertTrue(perPort[1] == CONNECTIONS || perPort[2] == CONNECTIONS,
                "every connection of 10.244.1.2 to one backend, got B " + perPort[1] + " C " + perPort[2]);
    }

    @Test
    void withoutTheAffinityTableTheSameServiceSpreadsConnections_theTestAboveCanFail() {
        start(FlowSettings.defaults());
        service(Service.builder("default", "web").clusterIPs("10.96.0.10").sessionAffinityClientIP(10_800), Protocol.TCP,
                "10.244.1.3", "10.244.1.4");
        final int[] perPort = synsPerBackendPort();
        assertTrue(perPort[1] != 0 && perPort[2] != 0, "Maglev spreads, got B " + perPort[1] + " C " + perPort[2]);
    }

    @Test
    void aUdpFlowWhoseBackendGoesAwayMovesToTheLiveBackendAtItsNextDatagram() {
        start(FlowSettings.defaults());
        service(Service.builder("default", "web").clusterIPs("10.96.0.10"), Protocol.UDP, "10.244.1.3", "10.244.1.4");
        final byte[] datagram = FlowFrames.udp(SWITCH_0, MAC_A, POD_A, 5353, VIP, 80, "q".getBytes());
        final int first = sendFromA(datagram);
        assertTrue(first == 1 || first == 2, "first datagram left on " + first);
        assertEquals(first, sendFromA(datagram), "the flow keeps its backend while it lives");
        assertEquals(1, conntrack.size());

        final String live = first == 1 ? "10.244.1.4" : "10.244.1.3";
        endpoints(Protocol.UDP, live);
        assertEquals(1, cycle.flushedUdpEntries(), "the entry DNATed to the removed backend is flushed");
        assertEquals(3 - first, sendFromA(datagram), "the next datagram of the same flow goes to the live backend");
        assertEquals(0, harness.worker().drops().total(), harness.worker().drops().describe());
    }

    @Test
    void withoutTheFlushTheFlowStaysOnTheRemovedBackend_theTestAboveCanFail() {
        start(FlowSettings.defaults());
        service(Service.builder("default", "web").clusterIPs("10.96.0.10"), Protocol.UDP, "10.244.1.3", "10.244.1.4");
        final byte[] datagram = FlowFrames.udp(SWITCH_0, MAC_A, POD_A, 5353, VIP, 80, "q".getBytes());
        final int first = sendFromA(datagram);
        desired.upsert(DesiredKind.LB_ENDPOINT_SLICE, "default/web-1", new EndpointSlice("default", "web-1", "web",
                AddressType.IPV4, List.of(Endpoint.of(first == 1 ? "10.244.1.4" : "10.244.1.3", EndpointConditions.READY, NODE)),
                List.of(EndpointPort.of("p", Protocol.UDP, 8080)), Map.of()));
        assertEquals(1, desired.applyPending().services().staleUdpBackends().size());
        assertEquals(first, sendFromA(datagram));
    }

    @Test
    void healthCheckNodePortsAreHandedOnAfterEachServiceCompilation() {
        service(Service.builder("default", "web").clusterIPs("10.96.0.10").type(io.isthmus.lb.model.ServiceType.LOAD_BALANCER)
                .externalTrafficPolicy(io.isthmus.lb.model.TrafficPolicy.LOCAL).healthCheckNodePort(32100), Protocol.TCP, "10.244.1.3");
        assertEquals(1, cycle.compilations());
        assertEquals(List.of(32100), healthChecks.getLast().stream().map(HealthCheckService::healthCheckNodePort).toList());
        assertEquals(1, healthChecks.getLast().getFirst().localReadyEndpoints());
    }

    @Test
    void aLaterListenerGetsTheLastHealthChecksAtOnceAndEveryCompilationAfter() {
        service(Service.builder("default", "web").clusterIPs("10.96.0.10").type(io.isthmus.lb.model.ServiceType.LOAD_BALANCER)
                .externalTrafficPolicy(io.isthmus.lb.model.TrafficPolicy.LOCAL).healthCheckNodePort(32100), Protocol.TCP, "10.244.1.3");
        final List<List<Integer>> told = new ArrayList<>();
        cycle.alsoTell(compilation -> told.add(compilation.healthChecks().stream().map(HealthCheckService::healthCheckNodePort).toList()));
        assertEquals(List.of(List.of(32100)), told, "the uplink attached after the first compilation still learns its ports");
        service(Service.builder("default", "web").clusterIPs("10.96.0.10").type(io.isthmus.lb.model.ServiceType.LOAD_BALANCER)
                .externalTrafficPolicy(io.isthmus.lb.model.TrafficPolicy.LOCAL).healthCheckNodePort(32101), Protocol.TCP, "10.244.1.3");
        assertEquals(List.of(List.of(32100), List.of(32101)), told, "the Service's new health-check port replaced the old one");
    }
}
