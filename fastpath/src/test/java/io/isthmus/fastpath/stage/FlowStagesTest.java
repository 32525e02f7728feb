package io.isthmus.fastpath.stage;

import io.isthmus.conntrack.Addresses;
import io.isthmus.conntrack.ConntrackDescriptor;
import io.isthmus.fastpath.packet.Ipv4Address;
import io.isthmus.fastpath.pipeline.DropReason;
import io.isthmus.fastpath.pipeline.FlowFlags;
import io.isthmus.fastpath.pipeline.FlowState;
import io.isthmus.fastpath.pipeline.PacketBatch;
import io.isthmus.fastpath.pipeline.RouteTable;
import io.isthmus.fastpath.testing.FlowFrames;
import io.isthmus.fastpath.testing.FlowTables;
import io.isthmus.fastpath.testing.StageHarness;
import io.isthmus.fastpath.testing.TestFrames;
import io.isthmus.fastpath.testing.ThreePods;
import io.isthmus.lb.model.Protocol;
import io.isthmus.policy.compile.PolicyCompiler;
import io.isthmus.policy.model.Direction;
import io.isthmus.policy.model.LabelSelector;
import io.isthmus.policy.model.NamespaceInfo;
import io.isthmus.policy.model.Policy;
import org.junit.jupiter.api.Test;

import java.util.EnumSet;
import java.util.List;
import java.util.Map;

import static io.isthmus.fastpath.testing.ThreePods.MAC_A;
import static io.isthmus.fastpath.testing.ThreePods.MAC_B;
import static io.isthmus.fastpath.testing.ThreePods.POD_A;
import static io.isthmus.fastpath.testing.ThreePods.POD_B;
import static io.isthmus.fastpath.testing.ThreePods.POD_C;
import static io.isthmus.fastpath.testing.ThreePods.SWITCH_0;
import static io.isthmus.fastpath.testing.ThreePods.SWITCH_1;
import static io.isthmus.fastpath.testing.ThreePods.VIP;
import static io.isthmus.fastpath.stage.FlowPipelineTest.pod;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each flow stage on its own batch (the stage harness: no worker, no sockets), checking the metadata it leaves. */
class FlowStagesTest {
    private final FlowTables flow = new FlowTables(RouteTable.builder(1)
            .port(0, SWITCH_0, POD_A).port(1, SWITCH_1, POD_B).port(2, SWITCH_1, POD_C).build());

    private StageHarness harness() {
        return new StageHarness(flow.tables(), flow.conntrack(), flow.settings(), 3, 256);
    }

    private static byte[] syn(int src, int srcPort, int dst, int dstPort) {
        return FlowFrames.tcp(SWITCH_0, MAC_A, src, srcPort, dst, dstPort, 1, 0, FlowFrames.SYN, new byte[0]);
    }

    @Test
    void conntrackStageMarksMissesNewWithTheirTupleAndHitsEstablishedOrReply() {
        try (StageHarness h = harness()) {
            final ConntrackFlows flows = new ConntrackFlows(h.context().conntrack());
            final ParseStage parse = h.stage(ParseStage::new);
            final ConntrackStage conntrack = new ConntrackStage(h.context(), flows);
            final ConntrackCommitStage commit = new ConntrackCommitStage(h.context(), flows);
            h.add(0, syn(POD_A, 40000, POD_B, 8080));
            h.add(0, TestFrames.arpRequestFrame(MAC_A, POD_A, ThreePods.GATEWAY));
            h.add(0, TestFrames.icmpEchoFrame(SWITCH_0, MAC_A, POD_A, POD_B, 64, 8, 1));
            assertEquals(3, h.run(parse, conntrack));
            final PacketBatch b = h.batch();
            assertEquals(List.of(FlowState.NEW, FlowState.UNTRACKED, FlowState.NEW),
                    List.of(b.flowState[0], b.flowState[1], b.flowState[2]));
            assertEquals(POD_A, b.flowSrc[0]);
            assertEquals(POD_B, b.flowDst[0]);
            assertEquals(ConntrackDescriptor.ports(40000, 8080), b.flowPorts[0]);
            assertEquals(6, b.flowProto[0]);
            assertEquals(FlowHash.of(POD_A, POD_B, b.flowPorts[0], 6), b.flowHash[0]);
            assertEquals(ConntrackDescriptor.ports(0x4242, 0x4242), b.flowPorts[2], "ICMP echo: the identifier is both ports");
            h.run(commit);
            assertEquals(2, flow.conntrack().size());
            h.context().pool().release(b.address[0]);
            h.context().pool().release(b.address[1]);
            h.context().pool().release(b.address[2]);
            b.clear();

            // In batch order: the SYN-ACK moves the connection to SYN_RECV, then the client's ACK is valid.
            h.add(1, FlowFrames.tcp(SWITCH_1, MAC_B, POD_B, 8080, POD_A, 40000, 1, 2, FlowFrames.SYN_ACK, new byte[0]));
            h.add(0, FlowFrames.tcp(SWITCH_0, MAC_A, POD_A, 40000, POD_B, 8080, 2, 2, FlowFrames.ACK, new byte[0]));
            h.add(1, TestFrames.icmpEchoFrame(SWITCH_1, MAC_B, POD_B, POD_A, 64, 0, 1));
            assertEquals(3, h.run(parse, conntrack), h.context().drops().describe());
            assertEquals(List.of(FlowState.REPLY, FlowState.ESTABLISHED, FlowState.REPLY),
                    List.of(b.flowState[0], b.flowState[1], b.flowState[2]));
            assertTrue(b.ctRef[0] >= 0 && b.ctRef[0] >>> 1 == b.ctRef[1] >>> 1, "both directions hit one entry");
        }
    }

    @Test
    void conntrackStageDropsWhatTheConnectionStateRefuses() {
        try (StageHarness h = harness()) {
            final ConntrackFlows flows = new ConntrackFlows(h.context().conntrack());
            final ConntrackStage conntrack = new ConntrackStage(h.context(), flows);
            final ConntrackCommitStage commit = new ConntrackCommitStage(h.context(), flows);
            h.add(0, syn(POD_A, 40001, POD_B, 8080));
            h.run(h.stage(ParseStage::new), conntrack, commit);
            h.context().pool().release(h.batch().address[0]);
            h.batch().clear();
            // A SYN-ACK in the original direction (from the client) is invalid for SYN_SENT.
            h.add(0, FlowFrames.tcp(SWITCH_0, MAC_A, POD_A, 40001, POD_B, 8080, 1, 1, FlowFrames.SYN_ACK, new byte[0]));
            assertEquals(0, h.run(h.stage(ParseStage::new), conntrack));
            assertEquals(1, h.drops(DropReason.CONNTRACK_INVALID));
        }
    }

    @Test
    void serviceStageDnatsAndFlagsNewFlowsOnlyAndDropsByVerdict() {
        flow.clusterIpService("web", "10.96.0.10", Protocol.TCP, 80, 8080, "10.244.1.3");
        flow.service(io.isthmus.lb.model.Service.builder("default", "local").clusterIPs("10.96.0.30").port("p", io.isthmus.lb.model.Protocol.TCP, 80)
                        .internalTrafficPolicy(io.isthmus.lb.model.TrafficPolicy.LOCAL).build(),
                new io.isthmus.lb.model.EndpointSlice("default", "local-1", "local", io.isthmus.lb.model.AddressType.IPV4,
                        List.of(io.isthmus.lb.model.Endpoint.of("10.244.9.9", io.isthmus.lb.model.EndpointConditions.READY, "elsewhere")),
                        List.of(io.isthmus.lb.model.EndpointPort.of("p", io.isthmus.lb.model.Protocol.TCP, 80)), Map.of()));
        try (StageHarness h = harness()) {
            final ConntrackStage conntrack = new ConntrackStage(h.context(), new ConntrackFlows(h.context().conntrack()));
            h.add(0, syn(POD_A, 40002, VIP, 80));
            h.add(0, syn(POD_A, 40003, POD_B, 80));
            h.add(0, syn(POD_A, 40004, Ipv4Address.parse("10.96.0.30"), 80));
            assertEquals(2, h.run(h.stage(ParseStage::new), conntrack, h.stage(ServiceDnatStage::new)));
            final PacketBatch b = h.batch();
            assertEquals(FlowFlags.DNAT, b.flowFlags[0]);
            assertEquals(flow.serviceTable().servicePortId(flow.serviceTable().findFrontend(0, Addresses.ipv4Lo(VIP), 80, 6)), b.serviceId[0]);
            assertEquals(TestFrames.hex(syn(POD_A, 40002, POD_B, 8080)), TestFrames.hex(h.frame(0)), "DNATed, checksums as computed from scratch");
            assertEquals(0, b.flowFlags[1], "not a Service: untouched");
            assertEquals(VIP, b.flowDst[0], "the tuple as it arrived stays in the metadata for the commit");
            assertEquals(1, h.drops(DropReason.SERVICE_NO_LOCAL_ENDPOINT));
        }
    }

    @Test
    void policyStageJudgesNewFlowsOnlyAndRecordsEachDenial() {
        final PolicyCompiler compiler = new PolicyCompiler();
        compiler.putNamespace(NamespaceInfo.of("default", Map.of()));
        compiler.putPod(pod("a", POD_A, "client"));
        compiler.putPod(pod("b", POD_B, "server"));
        compiler.putPolicy(new Policy("default", "deny", LabelSelector.ALL, EnumSet.of(Direction.INGRESS), List.of(), List.of()));
        flow.policy(compiler);
        try (StageHarness h = harness()) {
            h.add(0, syn(POD_A, 40005, POD_B, 8080));
            h.add(0, syn(POD_A, 40006, POD_B, 8080));
            h.run(h.stage(ParseStage::new));
            final PacketBatch b = h.batch();
            for (int i = 0; i < 2; i++) {
                b.flowFlags[i] = 0;
                b.flowSrc[i] = POD_A;
                b.flowProto[i] = 6;
                b.flowPorts[i] = ConntrackDescriptor.ports(40005 + i, 8080);
            }
            b.flowState[0] = FlowState.NEW;
            b.flowState[1] = FlowState.REPLY; // a reply of an allowed connection is never judged
            assertEquals(1, h.run(h.stage(PolicyStage::new)));
            assertEquals(ConntrackDescriptor.ports(40006, 8080), b.flowPorts[0]);
            assertEquals(1, h.drops(DropReason.POLICY_DENIED));
            assertEquals(1, h.context().events().pending());
        }
    }

    @Test
    void commitStageStoresBothTuplesAndTheNatMapping() {
        flow.clusterIpService("web", "10.96.0.10", Protocol.TCP, 80, 8080, "10.244.1.3");
        try (StageHarness h = harness()) {
            final ConntrackFlows flows = new ConntrackFlows(h.context().conntrack());
            h.add(0, syn(POD_A, 40007, VIP, 80));
            h.run(h.stage(ParseStage::new), new ConntrackStage(h.context(), flows), h.stage(ServiceDnatStage::new),
                    h.stage(PolicyStage::new), new ConntrackCommitStage(h.context(), flows));
            assertTrue(h.batch().ctRef[0] >= 0);
            // The reply tuple (backend -> client) finds the same entry, in the reply direction, with the un-DNAT rewrite.
            final int ref = flows.lookupExisting(POD_B, POD_A, ConntrackDescriptor.ports(8080, 40007), 6);
            assertEquals(h.batch().ctRef[0] | 1, ref);
            assertEquals(VIP, flows.natSrc(0));
            assertEquals(POD_A, flows.natDst(0));
            assertEquals(ConntrackDescriptor.ports(80, 40007), flows.natPorts(0));
        }
    }
}
