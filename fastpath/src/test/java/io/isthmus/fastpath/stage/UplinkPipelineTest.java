package io.isthmus.fastpath.stage;

import io.isthmus.fastpath.packet.Ipv4Address;
import io.isthmus.fastpath.pipeline.DropReason;
import io.isthmus.fastpath.pipeline.FlowSettings;
import io.isthmus.fastpath.testing.FlowFrames;
import io.isthmus.fastpath.testing.FlowTables;
import io.isthmus.fastpath.testing.PipelineHarness;
import io.isthmus.fastpath.testing.ThreePods;
import io.isthmus.fastpath.uplink.UplinkBinding;
import io.isthmus.lb.model.AddressType;
import io.isthmus.lb.model.Endpoint;
import io.isthmus.lb.model.EndpointConditions;
import io.isthmus.lb.model.EndpointPort;
import io.isthmus.lb.model.EndpointSlice;
import io.isthmus.lb.model.Protocol;
import io.isthmus.lb.model.Service;
import io.isthmus.lb.model.ServicePort;
import io.isthmus.lb.model.ServiceType;
import io.isthmus.lb.model.TargetPort;
import io.isthmus.lb.model.TrafficPolicy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;

import static io.isthmus.fastpath.testing.ThreePods.MAC_B;
import static io.isthmus.fastpath.testing.ThreePods.POD_B;
import static io.isthmus.fastpath.testing.ThreePods.SWITCH_1;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * External → NodePort through the uplink, over in-memory ports: pods A, B, C on ports 0-2, the
 * uplink on port 3 (not in the route table, like the real one). A client's SYN to node:NodePort is
 * DNATed (and, with externalTrafficPolicy Cluster, SNATed to the node) to pod B; B's answer is
 * un-NATed and leaves through the uplink to the client's MAC, from the uplink's MAC.
 */
class UplinkPipelineTest {
    static final int UPLINK = 3;
    static final int NODE = Ipv4Address.parse("192.168.77.10");
    static final int CLIENT = Ipv4Address.parse("192.168.77.1");
    static final int FAR_CLIENT = Ipv4Address.parse("198.18.0.5");
    static final long UPLINK_MAC = FlowFrames.mac("02:00:00:00:00:77");
    static final long CLIENT_MAC = FlowFrames.mac("0a:00:00:00:77:01");
    static final long ROUTER_MAC = FlowFrames.mac("0a:00:00:00:77:fe");
    static final int NODE_PORT = 30080;
    static final int SNAT_PORT = 40001;

    private PipelineHarness harness;

    @AfterEach
    void close() {
        if (harness != null) {
            harness.close();
        }
    }

    private PipelineHarness start(TrafficPolicy policy, String backendNode) {
        return start(policy, backendNode, ThreePods.routes());
    }

    private PipelineHarness start(TrafficPolicy policy, String backendNode, io.isthmus.fastpath.pipeline.RouteTable routes) {
        final FlowSettings settings = new FlowSettings(NODE, Ipv4Address.parse("10.244.1.0"), 24, null, 0);
        final FlowTables tables = new FlowTables(routes, settings, SNAT_PORT, SNAT_PORT);
        tables.service(Service.builder("default", "web").type(ServiceType.NODE_PORT).clusterIPs("10.96.0.20")
                        .externalTrafficPolicy(policy)
                        .port(new ServicePort("p", Protocol.TCP, 80, TargetPort.of(8080), NODE_PORT)).build(),
                new EndpointSlice("default", "web-1", "web", AddressType.IPV4,
                        List.of(Endpoint.of(Ipv4Address.format(POD_B), EndpointConditions.READY, backendNode)),
                        List.of(EndpointPort.of("p", Protocol.TCP, 8080)), Map.of()));
        tables.service(Service.builder("default", "empty").type(ServiceType.NODE_PORT).clusterIPs("10.96.0.21")
                .port(new ServicePort("p", Protocol.TCP, 80, TargetPort.of(8080), 30081)).build());
        harness = ThreePods.learnPods(new PipelineHarness(tables.tables(), tables.conntrack(), settings, 5));
        harness.worker().context().uplink().bindRelease(new UplinkBinding(UPLINK, UPLINK_MAC));
        return harness;
    }

    private static byte[] fromClient(long srcMac, int client, int dstPort, int flags) {
        return FlowFrames.tcp(UPLINK_MAC, srcMac, client, 40000, NODE, dstPort, 100, 0, flags, new byte[0]);
    }

    private static int u16(byte[] f, int at) {
        return ByteBuffer.wrap(f).getShort(at) & 0xffff;
    }

    private static int u32(byte[] f, int at) {
        return ByteBuffer.wrap(f).getInt(at);
    }

    private static long mac(byte[] f, int at) {
        return ByteBuffer.wrap(f).getLong(at) >>> 16;
    }

    @Test
    void clusterPolicyIsSnatedToTheNodeAndTheReplyLeavesThroughTheUplinkToTheClient() {
        start(TrafficPolicy.CLUSTER, FlowTables.NODE_NAME);
        harness.send(UPLINK, fromClient(CLIENT_MAC, CLIENT, NODE_PORT, FlowFrames.SYN));
        harness.run();
        final List<byte[]> toB = harness.transmitted(1);
        assertEquals(1, toB.size(), "the SYN reached pod B");
        final byte[] syn = toB.getFirst();
        assertEquals(NODE, u32(syn, 26), "Cluster: the backend sees the node address");
        assertEquals(SNAT_PORT, u16(syn, 34));
        assertEquals(POD_B, u32(syn, 30));
        assertEquals(8080, u16(syn, 36));
        assertEquals(MAC_B, mac(syn, 0));

        harness.send(1, FlowFrames.tcp(SWITCH_1, MAC_B, POD_B, 8080, NODE, SNAT_PORT, 500, 101, FlowFrames.SYN_ACK, new byte[0]));
        harness.run();
        final List<byte[]> out = harness.transmitted(UPLINK);
        assertEquals(1, out.size(), "the SYN-ACK left through the uplink");
        final byte[] synAck = out.getFirst();
        assertEquals(CLIENT_MAC, mac(synAck, 0), "to the client's MAC");
        assertEquals(UPLINK_MAC, mac(synAck, 6), "from the uplink's MAC");
        assertEquals(NODE, u32(synAck, 26), "from the node address");
        assertEquals(NODE_PORT, u16(synAck, 34), "and the NodePort");
        assertEquals(CLIENT, u32(synAck, 30));
        assertEquals(40000, u16(synAck, 36));
        assertEquals(63, synAck[22] & 0xff, "routed: TTL - 1");
        assertTrue(harness.transmitted(0).isEmpty() && harness.transmitted(2).isEmpty());
    }

    @Test
    void localPolicyKeepsTheClientAddressAndARouterBroughtClientIsAnsweredThroughTheRouter() {
        start(TrafficPolicy.LOCAL, FlowTables.NODE_NAME);
        harness.send(UPLINK, fromClient(ROUTER_MAC, FAR_CLIENT, NODE_PORT, FlowFrames.SYN));
        harness.run();
        final byte[] syn = harness.transmitted(1).getFirst();
        assertEquals(FAR_CLIENT, u32(syn, 26), "Local: the backend sees the client address");
        assertEquals(40000, u16(syn, 34));

        harness.send(1, FlowFrames.tcp(SWITCH_1, MAC_B, POD_B, 8080, FAR_CLIENT, 40000, 500, 101, FlowFrames.SYN_ACK, new byte[0]));
        harness.run();
        final byte[] synAck = harness.transmitted(UPLINK).getFirst();
        assertEquals(ROUTER_MAC, mac(synAck, 0), "back to the router that brought the request");
        assertEquals(NODE, u32(synAck, 26));
        assertEquals(NODE_PORT, u16(synAck, 34));
        assertEquals(FAR_CLIENT, u32(synAck, 30));
    }

    @Test
    void withAHostPortTheDefaultRouteDoesNotTakeTheRepliesOfUplinkFlows() {
        final int hostPort = 4;
        start(TrafficPolicy.LOCAL, FlowTables.NODE_NAME, io.isthmus.fastpath.pipeline.RouteTable.builder(1)
                .port(0, ThreePods.SWITCH_0, ThreePods.POD_A).port(1, SWITCH_1, POD_B).port(2, ThreePods.SWITCH_2, ThreePods.POD_C)
                .hostPort(hostPort, FlowFrames.mac("02:00:00:00:00:44")).build());
        harness.send(UPLINK, fromClient(CLIENT_MAC, CLIENT, NODE_PORT, FlowFrames.SYN));
        harness.run();
        assertEquals(1, harness.transmitted(1).size());
        harness.send(1, FlowFrames.tcp(SWITCH_1, MAC_B, POD_B, 8080, CLIENT, 40000, 500, 101, FlowFrames.SYN_ACK, new byte[0]));
        harness.run();
        assertEquals(1, harness.transmitted(UPLINK).size(), "the reply left through the uplink");
        assertTrue(harness.transmitted(hostPort).isEmpty(), "not through the host port, the default route for non-pod addresses");
    }

    @Test
    void theExternalFrontendsOfTheCompiledServicesAreTheirExternalIpsAndLoadBalancerIps() {
        final FlowSettings settings = new FlowSettings(NODE, Ipv4Address.parse("10.244.1.0"), 24, null, 0);
        final FlowTables tables = new FlowTables(ThreePods.routes(), settings);
        tables.service(Service.builder("default", "lb").type(ServiceType.LOAD_BALANCER).clusterIPs("10.96.0.30")
                        .externalIPs("198.51.100.7").loadBalancerIngressIPs("203.0.113.9")
                        .port(new ServicePort("https", Protocol.TCP, 443, TargetPort.of(8443), 31443))
                        .port(new ServicePort("dns", Protocol.UDP, 53, TargetPort.of(5353), 31053)).build(),
                new EndpointSlice("default", "lb-1", "lb", AddressType.IPV4,
                        List.of(Endpoint.of(Ipv4Address.format(POD_B), EndpointConditions.READY, FlowTables.NODE_NAME)),
                        List.of(EndpointPort.of("https", Protocol.TCP, 8443), EndpointPort.of("dns", Protocol.UDP, 5353)), Map.of()));
        final java.util.Set<io.isthmus.fastpath.bpf.ServiceFrontendsMap.Frontend> frontends =
                java.util.Set.copyOf(io.isthmus.fastpath.runtime.UplinkPort.externalFrontends(tables.serviceTable()));
        assertEquals(java.util.Set.of(
                new io.isthmus.fastpath.bpf.ServiceFrontendsMap.Frontend(Ipv4Address.parse("198.51.100.7"), 443, 6),
                new io.isthmus.fastpath.bpf.ServiceFrontendsMap.Frontend(Ipv4Address.parse("198.51.100.7"), 53, 17),
                new io.isthmus.fastpath.bpf.ServiceFrontendsMap.Frontend(Ipv4Address.parse("203.0.113.9"), 443, 6),
                new io.isthmus.fastpath.bpf.ServiceFrontendsMap.Frontend(Ipv4Address.parse("203.0.113.9"), 53, 17)), frontends,
                "neither the ClusterIP nor the NodePorts (the range covers those) are listed");
    }

    @Test
    void localPolicyWithoutALocalEndpointDropsExternalTraffic() {
        start(TrafficPolicy.LOCAL, "node-b");
        harness.send(UPLINK, fromClient(CLIENT_MAC, CLIENT, NODE_PORT, FlowFrames.SYN));
        harness.run();
        assertTrue(harness.transmitted(1).isEmpty());
        assertEquals(1, harness.drops(DropReason.SERVICE_NO_LOCAL_ENDPOINT));
    }

    @Test
    void aNodePortWithoutEndpointsIsRefusedBackThroughTheUplink() {
        start(TrafficPolicy.CLUSTER, FlowTables.NODE_NAME);
        harness.send(UPLINK, fromClient(CLIENT_MAC, CLIENT, 30081, FlowFrames.SYN));
        harness.run();
        final List<byte[]> out = harness.transmitted(UPLINK);
        assertEquals(1, out.size(), "the RST went back out of the uplink");
        assertEquals(CLIENT_MAC, mac(out.getFirst(), 0));
        assertEquals(UPLINK_MAC, mac(out.getFirst(), 6));
        assertEquals(CLIENT, u32(out.getFirst(), 30));
        assertEquals(FlowFrames.RST, out.getFirst()[47] & FlowFrames.RST);
    }

    @Test
    void withTwoQueuesEachReplyLeavesThroughTheQueueItsConnectionCameInOn() {
        start(TrafficPolicy.LOCAL, FlowTables.NODE_NAME); // Local: no SNAT (the test tables have one SNAT port)
        final int queue0 = UPLINK;
        final int queue1 = UPLINK + 1;
        harness.worker().context().uplink().bindRelease(new UplinkBinding(queue0, 2, UPLINK_MAC));
        final long otherClientMac = FlowFrames.mac("0a:00:00:00:77:02");
        final int otherClient = Ipv4Address.parse("192.168.77.2");
        harness.send(queue1, FlowFrames.tcp(UPLINK_MAC, CLIENT_MAC, CLIENT, 40000, NODE, NODE_PORT, 100, 0, FlowFrames.SYN, new byte[0]));
        harness.send(queue0, FlowFrames.tcp(UPLINK_MAC, otherClientMac, otherClient, 40002, NODE, NODE_PORT, 100, 0, FlowFrames.SYN, new byte[0]));
        harness.run();
        final List<byte[]> toB = harness.transmitted(1);
        assertEquals(2, toB.size(), "both SYNs reached pod B, whichever queue brought them");
        for (byte[] syn : toB) {
            harness.send(1, FlowFrames.tcp(SWITCH_1, MAC_B, POD_B, 8080, u32(syn, 26), u16(syn, 34), 500, 101, FlowFrames.SYN_ACK, new byte[0]));
        }
        harness.run();
        final List<byte[]> out1 = harness.transmitted(queue1);
        assertEquals(1, out1.size(), "the first client's SYN-ACK left through queue 1, where its SYN came in");
        assertEquals(CLIENT, u32(out1.getFirst(), 30));
        assertEquals(CLIENT_MAC, mac(out1.getFirst(), 0));
        assertEquals(UPLINK_MAC, mac(out1.getFirst(), 6), "from the uplink's MAC on every queue");
        final List<byte[]> out0 = harness.transmitted(queue0);
        assertEquals(1, out0.size(), "the other client's through queue 0");
        assertEquals(otherClient, u32(out0.getFirst(), 30));
        assertEquals(otherClientMac, mac(out0.getFirst(), 0));
        assertEquals(NODE_PORT, u16(out0.getFirst(), 34));
    }

    @Test
    void withTwoQueuesTheRefusalOfARequestFromQueue1LeavesThroughQueue0() {
        start(TrafficPolicy.CLUSTER, FlowTables.NODE_NAME);
        harness.worker().context().uplink().bindRelease(new UplinkBinding(UPLINK, 2, UPLINK_MAC));
        harness.send(UPLINK + 1, fromClient(CLIENT_MAC, CLIENT, 30081, FlowFrames.SYN)); // nothing ever came in on queue 0
        harness.run();
        final List<byte[]> out = harness.transmitted(UPLINK);
        assertEquals(1, out.size(), "the RST left through queue 0 (its next hop learned from queue 1's frame)");
        assertEquals(CLIENT_MAC, mac(out.getFirst(), 0));
        assertEquals(UPLINK_MAC, mac(out.getFirst(), 6));
        assertEquals(FlowFrames.RST, out.getFirst()[47] & FlowFrames.RST);
        assertTrue(harness.transmitted(UPLINK + 1).isEmpty());
        assertEquals(0, harness.drops(DropReason.NEIGHBOR_UNKNOWN));
    }

    @Test
    void withoutAnUplinkBoundTheRepliesOfOutsideClientsHaveNoRoute() {
        start(TrafficPolicy.CLUSTER, FlowTables.NODE_NAME);
        harness.worker().context().uplink().unbindRelease();
        harness.send(UPLINK, fromClient(CLIENT_MAC, CLIENT, NODE_PORT, FlowFrames.SYN));
        harness.run();
        assertEquals(1, harness.transmitted(1).size());
        harness.send(1, FlowFrames.tcp(SWITCH_1, MAC_B, POD_B, 8080, NODE, SNAT_PORT, 500, 101, FlowFrames.SYN_ACK, new byte[0]));
        harness.run();
        assertTrue(harness.transmitted(UPLINK).isEmpty());
        assertEquals(1, harness.drops(DropReason.NO_ROUTE), "the uplink stages are what sends replies out of the uplink");
    }
}
