package io.isthmus.fastpath.stage;

import io.isthmus.fastpath.packet.Ipv4Address;
import io.isthmus.fastpath.pipeline.DropReason;
import io.isthmus.fastpath.pipeline.FlowEvents;
import io.isthmus.fastpath.pipeline.FlowSettings;
import io.isthmus.fastpath.pipeline.RouteTable;
import io.isthmus.fastpath.testing.FlowFrames;
import io.isthmus.fastpath.testing.FlowTables;
import io.isthmus.fastpath.testing.PipelineHarness;
import io.isthmus.fastpath.testing.TestFrames;
import io.isthmus.fastpath.testing.ThreePods;
import io.isthmus.lb.model.Protocol;
import io.isthmus.policy.compile.PolicyCompiler;
import io.isthmus.policy.model.Direction;
import io.isthmus.policy.model.IpAddress;
import io.isthmus.policy.model.LabelSelector;
import io.isthmus.policy.model.NamespaceInfo;
import io.isthmus.policy.model.PodInfo;
import io.isthmus.policy.model.Policy;
import io.isthmus.policy.model.PolicyPeer;
import io.isthmus.policy.model.PolicyPort;
import io.isthmus.policy.model.PolicyRule;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;

import static io.isthmus.fastpath.testing.TestFrames.hex;
import static io.isthmus.fastpath.testing.ThreePods.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The whole pipeline with connection tracking, Services and policy, over in-memory ports: every
 * expected frame is built from scratch (checksums from their definition), so the fast path's
 * incremental NAT checksums are checked byte for byte.
 */
class FlowPipelineTest {
    static final int EMPTY_VIP = Ipv4Address.parse("10.96.0.20");

    private final FlowTables flow = new FlowTables(ThreePods.routes());
    private PipelineHarness harness;

    private PipelineHarness start() {
        harness = ThreePods.learnPods(new PipelineHarness(flow.tables(), flow.conntrack(), flow.settings(), ThreePods.PORTS));
        return harness;
    }

    @AfterEach
    void close() {
        if (harness != null) {
            harness.close();
        }
    }

    private List<String> exchange(int port, byte[] frame, int outPort) {
        harness.send(port, frame);
        harness.run();
        final List<String> out = new ArrayList<>();
        for (byte[] sent : harness.transmitted(outPort)) {
            out.add(hex(sent));
        }
        return out;
    }

    @Test
    void clusterIpIsDnatedToItsBackendAndTheReplyUnDnated_laterPacketsSkipTheDecision() {
        flow.clusterIpService("web", "10.96.0.10", Protocol.TCP, 80, 8080, "10.244.1.3");
        start();
        final byte[] syn = FlowFrames.tcp(SWITCH_0, MAC_A, POD_A, 40000, VIP, 80, 1000, 0, FlowFrames.SYN, new byte[0]);
        assertEquals(List.of(hex(TestFrames.routed(FlowFrames.tcp(SWITCH_0, MAC_A, POD_A, 40000, POD_B, 8080, 1000, 0,
                FlowFrames.SYN, new byte[0]), MAC_B, SWITCH_1))), exchange(0, syn, 1));

        final byte[] synAck = FlowFrames.tcp(SWITCH_1, MAC_B, POD_B, 8080, POD_A, 40000, 5000, 1001, FlowFrames.SYN_ACK, new byte[0]);
        assertEquals(List.of(hex(TestFrames.routed(FlowFrames.tcp(SWITCH_1, MAC_B, VIP, 80, POD_A, 40000, 5000, 1001,
                FlowFrames.SYN_ACK, new byte[0]), MAC_A, SWITCH_0))), exchange(1, synAck, 0));
        assertEquals(1, flow.conntrack().size());

        // The Service disappears: the established connection keeps its backend (no decision again).
        flow.tables().services().publish(null);
        final byte[] data = FlowFrames.tcp(SWITCH_0, MAC_A, POD_A, 40000, VIP, 80, 1001, 5001, FlowFrames.PSH_ACK, "hello".getBytes());
        assertEquals(List.of(hex(TestFrames.routed(FlowFrames.tcp(SWITCH_0, MAC_A, POD_A, 40000, POD_B, 8080, 1001, 5001,
                FlowFrames.PSH_ACK, "hello".getBytes()), MAC_B, SWITCH_1))), exchange(0, data, 1));
        assertEquals(0, harness.worker().drops().total(), harness.worker().drops().describe());
    }

    @Test
    void udpToAClusterIpWorksBothWays() {
        flow.clusterIpService("dns", "10.96.0.10", Protocol.UDP, 53, 1053, "10.244.1.3");
        start();
        assertEquals(List.of(hex(TestFrames.routed(FlowFrames.udp(SWITCH_0, MAC_A, POD_A, 5353, POD_B, 1053, "q".getBytes()), MAC_B, SWITCH_1))),
                exchange(0, FlowFrames.udp(SWITCH_0, MAC_A, POD_A, 5353, VIP, 53, "q".getBytes()), 1));
        assertEquals(List.of(hex(TestFrames.routed(FlowFrames.udp(SWITCH_1, MAC_B, VIP, 53, POD_A, 5353, "answer".getBytes()), MAC_A, SWITCH_0))),
                exchange(1, FlowFrames.udp(SWITCH_1, MAC_B, POD_B, 1053, POD_A, 5353, "answer".getBytes()), 0));
    }

    @Test
    void oneUdpFlowToAClusterIpInBurstsIsForwardedWhole_theFirstBatchAndEveryLaterOne() {
        flow.clusterIpService("sink", "10.96.0.10", Protocol.UDP, 9, 9009, "10.244.1.3");
        start();
        final byte[] datagram = FlowFrames.udp(SWITCH_0, MAC_A, POD_A, 7000, VIP, 9, new byte[18]);
        int forwarded = 0;
        for (int burst = 0; burst < 20; burst++) {
            for (int i = 0; i < 64; i++) {
                harness.send(0, datagram);
            }
            harness.run();
            forwarded += harness.transmitted(1).size();
        }
        assertEquals(20 * 64, forwarded, harness.worker().drops().describe());
        assertEquals(1, flow.conntrack().size());
    }

    @Test
    void anIcmpErrorFromTheBackendReachesTheClientTranslated_fromTheClusterIpQuotingWhatTheClientSent() {
        flow.clusterIpService("dns", "10.96.0.10", Protocol.UDP, 53, 1053, "10.244.1.3");
        start();
        final byte[] query = FlowFrames.udp(SWITCH_0, MAC_A, POD_A, 5353, VIP, 53, "q".getBytes());
        final byte[] atBackend = TestFrames.routed(FlowFrames.udp(SWITCH_0, MAC_A, POD_A, 5353, POD_B, 1053, "q".getBytes()), MAC_B, SWITCH_1);
        assertEquals(List.of(hex(atBackend)), exchange(0, query, 1));
        // B's kernel has nothing on 1053: port unreachable, quoting the datagram as B received it.
        final byte[] refusal = FlowFrames.portUnreachable(SWITCH_1, MAC_B, POD_B, POD_A, atBackend);
        final byte[] asTheClientSentIt = TestFrames.routed(query, MAC_B, SWITCH_1); // TTL 63, as B saw it, but to the ClusterIP
        assertEquals(List.of(hex(TestFrames.routed(FlowFrames.portUnreachable(SWITCH_1, MAC_B, VIP, POD_A, asTheClientSentIt),
                MAC_A, SWITCH_0))), exchange(1, refusal, 0));
        assertEquals(0, harness.worker().drops().total(), harness.worker().drops().describe());
    }

    @Test
    void aServiceWithoutEndpointsAnswersTcpWithRstAndUdpWithPortUnreachable() {
        flow.clusterIpService("empty", "10.96.0.20", Protocol.TCP, 80, 8080);
        flow.clusterIpService("empty-udp", "10.96.0.20", Protocol.UDP, 53, 53);
        start();
        final byte[] syn = FlowFrames.tcp(SWITCH_0, MAC_A, POD_A, 40001, EMPTY_VIP, 80, 7777, 0, FlowFrames.SYN, new byte[0]);
        assertEquals(List.of(hex(TestFrames.routed(FlowFrames.reset(MAC_A, SWITCH_0, EMPTY_VIP, 80, POD_A, 40001, 0, 7778,
                FlowFrames.RST | FlowFrames.ACK), MAC_A, SWITCH_0))), exchange(0, syn, 0));
        final byte[] query = FlowFrames.udp(SWITCH_0, MAC_A, POD_A, 5353, EMPTY_VIP, 53, "query".getBytes());
        assertEquals(List.of(hex(TestFrames.routed(FlowFrames.portUnreachable(MAC_A, SWITCH_0, EMPTY_VIP, POD_A, query), MAC_A, SWITCH_0))),
                exchange(0, query, 0));
        assertEquals(2, harness.drops(DropReason.SERVICE_REJECTED));
        assertEquals(0, flow.conntrack().size(), "a refused flow leaves no connection behind");
        final List<Integer> kinds = new ArrayList<>();
        harness.worker().context().events().drain((kind, reason, protocol, src, srcPort, dst, dstPort, ingress) -> kinds.add(kind), 10);
        assertEquals(List.of(FlowEvents.KIND_SERVICE_REJECTED, FlowEvents.KIND_SERVICE_REJECTED), kinds);
    }

    @Test
    void hairpinIsSourceNatedToTheNodeAddressAndTheReplyComesBack() {
        flow.clusterIpService("self", "10.96.0.10", Protocol.TCP, 80, 8080, "10.244.1.2");
        start();
        final byte[] syn = FlowFrames.tcp(SWITCH_0, MAC_A, POD_A, 40002, VIP, 80, 1, 0, FlowFrames.SYN, new byte[0]);
        harness.send(0, syn);
        harness.run();
        final List<byte[]> out = harness.transmitted(0);
        assertEquals(1, out.size());
        final int snatPort = (out.get(0)[34] & 0xFF) << 8 | (out.get(0)[35] & 0xFF);
        assertTrue(snatPort >= FlowTables.SNAT_FIRST_PORT && snatPort <= FlowTables.SNAT_LAST_PORT, "SNAT port " + snatPort);
        assertEquals(hex(TestFrames.routed(FlowFrames.tcp(SWITCH_0, MAC_A, GATEWAY, snatPort, POD_A, 8080, 1, 0, FlowFrames.SYN,
                new byte[0]), MAC_A, SWITCH_0)), hex(out.get(0)));

        final byte[] synAck = FlowFrames.tcp(SWITCH_0, MAC_A, POD_A, 8080, GATEWAY, snatPort, 9, 2, FlowFrames.SYN_ACK, new byte[0]);
        assertEquals(List.of(hex(TestFrames.routed(FlowFrames.tcp(SWITCH_0, MAC_A, VIP, 80, POD_A, 40002, 9, 2, FlowFrames.SYN_ACK,
                new byte[0]), MAC_A, SWITCH_0))), exchange(0, synAck, 0));
    }

    @Test
    void defaultDenyWithOneAllowIsEnforcedOnNewFlowsAndRepliesPass() {
        final PolicyCompiler compiler = new PolicyCompiler();
        compiler.putNamespace(NamespaceInfo.of("default", Map.of()));
        compiler.putPod(pod("a", POD_A, "client"));
        compiler.putPod(pod("b", POD_B, "server"));
        compiler.putPod(pod("c", POD_C, "other"));
        compiler.putPolicy(new Policy("default", "deny-all", LabelSelector.ALL, EnumSet.of(Direction.INGRESS), List.of(), List.of()));
        compiler.putPolicy(new Policy("default", "allow-client", LabelSelector.ofLabels(Map.of("app", "server")),
                EnumSet.of(Direction.INGRESS), List.of(new PolicyRule(List.of(PolicyPeer.pods(LabelSelector.ofLabels(Map.of("app", "client")))),
                List.of(PolicyPort.number(io.isthmus.policy.model.Protocol.TCP, 8080)))), List.of()));
        flow.policy(compiler);
        start();
        // a -> b:8080 allowed, and b's reply passes without a verdict of its own (b may not reach a).
        final byte[] syn = FlowFrames.tcp(SWITCH_0, MAC_A, POD_A, 40003, POD_B, 8080, 1, 0, FlowFrames.SYN, new byte[0]);
        assertEquals(List.of(hex(TestFrames.routed(syn, MAC_B, SWITCH_1))), exchange(0, syn, 1));
        final byte[] synAck = FlowFrames.tcp(SWITCH_1, MAC_B, POD_B, 8080, POD_A, 40003, 1, 2, FlowFrames.SYN_ACK, new byte[0]);
        assertEquals(List.of(hex(TestFrames.routed(synAck, MAC_A, SWITCH_0))), exchange(1, synAck, 0));
        // c -> b and b -> a (new flows) are denied.
        assertEquals(List.of(), exchange(2, FlowFrames.tcp(SWITCH_2, MAC_C, POD_C, 40004, POD_B, 8080, 1, 0, FlowFrames.SYN, new byte[0]), 1));
        assertEquals(List.of(), exchange(1, FlowFrames.tcp(SWITCH_1, MAC_B, POD_B, 40005, POD_A, 22, 1, 0, FlowFrames.SYN, new byte[0]), 0));
        assertEquals(2, harness.drops(DropReason.POLICY_DENIED));
        final List<String> events = new ArrayList<>();
        harness.worker().context().events().drain((kind, reason, protocol, src, srcPort, dst, dstPort, ingress) ->
                events.add(kind + " " + reason + " " + Ipv4Address.format(src) + ":" + srcPort + " -> " + Ipv4Address.format(dst) + ":" + dstPort
                        + " port " + ingress), 10);
        assertEquals(List.of("1 POLICY_DENIED 10.244.1.4:40004 -> 10.244.1.3:8080 port 2",
                "1 POLICY_DENIED 10.244.1.3:40005 -> 10.244.1.2:22 port 1"), events);
    }

    @Test
    void theNodeAddressAlwaysReachesAPod() {
        final PolicyCompiler compiler = new PolicyCompiler();
        compiler.putNamespace(NamespaceInfo.of("default", Map.of()));
        compiler.putPod(pod("b", POD_B, "server"));
        compiler.putPolicy(new Policy("default", "deny-all", LabelSelector.ALL, EnumSet.of(Direction.INGRESS), List.of(), List.of()));
        flow.policy(compiler);
        start();
        final byte[] fromNode = FlowFrames.tcp(SWITCH_0, MAC_A, FlowSettings.DEFAULT_NODE_IPV4, 40006, POD_B, 8080, 1, 0, FlowFrames.SYN, new byte[0]);
        assertEquals(List.of(hex(TestFrames.routed(fromNode, MAC_B, SWITCH_1))), exchange(0, fromNode, 1));
    }

    @Test
    void aClientOutsideThePodCidrIsSourceNatedToTheNodeAndItsReplyComesBack() {
        final int outside = Ipv4Address.parse("192.168.5.5");
        final FlowTables external = new FlowTables(RouteTable.builder(1).port(0, SWITCH_0, POD_A).port(1, SWITCH_1, POD_B)
                .port(2, SWITCH_2, outside).build(),
                new FlowSettings(FlowSettings.DEFAULT_NODE_IPV4, Ipv4Address.parse("10.244.0.0"), 16, null, 0));
        external.clusterIpService("web", "10.96.0.10", Protocol.TCP, 80, 8080, "10.244.1.3");
        harness = new PipelineHarness(external.tables(), external.conntrack(), external.settings(), 3);
        harness.send(1, TestFrames.arpRequestFrame(MAC_B, POD_B, GATEWAY));
        harness.send(2, TestFrames.arpRequestFrame(MAC_C, outside, GATEWAY));
        harness.run();
        harness.transmitted(1);
        harness.transmitted(2);
        harness.send(2, FlowFrames.tcp(SWITCH_2, MAC_C, outside, 50000, VIP, 80, 1, 0, FlowFrames.SYN, new byte[0]));
        harness.run();
        final List<byte[]> out = harness.transmitted(1);
        assertEquals(1, out.size(), harness.worker().drops().describe());
        final int snatPort = (out.get(0)[34] & 0xFF) << 8 | (out.get(0)[35] & 0xFF);
        assertEquals(hex(TestFrames.routed(FlowFrames.tcp(SWITCH_2, MAC_C, GATEWAY, snatPort, POD_B, 8080, 1, 0, FlowFrames.SYN,
                new byte[0]), MAC_B, SWITCH_1)), hex(out.get(0)), "kube-proxy masquerades ClusterIP traffic from outside the cluster CIDR");
        final byte[] synAck = FlowFrames.tcp(SWITCH_1, MAC_B, POD_B, 8080, GATEWAY, snatPort, 7, 2, FlowFrames.SYN_ACK, new byte[0]);
        assertEquals(List.of(hex(TestFrames.routed(FlowFrames.tcp(SWITCH_1, MAC_B, VIP, 80, outside, 50000, 7, 2, FlowFrames.SYN_ACK,
                new byte[0]), MAC_C, SWITCH_2))), exchange(1, synAck, 2));
    }

    static PodInfo pod(String name, int address, String app) {
        return new PodInfo("default", name, Map.of("app", app), List.of(IpAddress.ofIpv4(address)), List.of(), true);
    }
}
