package io.isthmus.fastpath.stage;

import static io.isthmus.fastpath.testing.ThreePods.MAC_A;
import static io.isthmus.fastpath.testing.ThreePods.POD_A;
import static io.isthmus.fastpath.testing.ThreePods.POD_B;
import static io.isthmus.fastpath.testing.ThreePods.POD_C;
import static io.isthmus.fastpath.testing.ThreePods.SWITCH_0;
import static io.isthmus.fastpath.testing.ThreePods.SWITCH_1;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.isthmus.conntrack.Addresses;
import io.isthmus.conntrack.ConntrackDescriptor;
import io.isthmus.fastpath.packet.Ipv4Address;
import io.isthmus.fastpath.pipeline.FlowFlags;
import io.isthmus.fastpath.pipeline.PacketBatch;
import io.isthmus.fastpath.pipeline.RouteTable;
import io.isthmus.fastpath.testing.FlowFrames;
import io.isthmus.fastpath.testing.FlowTables;
import io.isthmus.fastpath.testing.StageHarness;
import io.isthmus.fastpath.testing.TestFrames;
import io.isthmus.lb.model.Protocol;
import io.isthmus.lb.table.ServiceDecision;
import io.isthmus.lb.table.ServiceTable;
import io.isthmus.lb.table.ServiceVerdict;
import io.isthmus.lb.table.TrafficSource;
import org.junit.jupiter.api.Test;

/**
 * The stage's passes (home buckets, touch, find, hint, touch, decide) DNAT every new flow of a
 * batch to the backend the Service table's one-at-a-time decision picks, whichever layout the
 * frontend has: a compact bucket (3 endpoints, one line), a paired bucket (10 endpoints, two lines)
 * or the three-line layout (20 endpoints), all in one batch.
 */
class ServiceDnatStageTest {
    private final FlowTables flow = new FlowTables(RouteTable.builder(1)
            .port(0, SWITCH_0, POD_A).port(1, SWITCH_1, POD_B).port(2, SWITCH_1, POD_C).build());

    private static String[] backends(int first, int count) {
        String[] out = new String[count];
        for (int i = 0; i < count; i++) {
            out[i] = Ipv4Address.format(Ipv4Address.parse("10.244.2.0") + first + i);
        }
        return out;
    }

    private static byte[] syn(int src, int srcPort, int dst, int dstPort) {
        return FlowFrames.tcp(SWITCH_0, MAC_A, src, srcPort, dst, dstPort, 1, 0, FlowFrames.SYN, new byte[0]);
    }

    @Test
    void everyLayoutInOneBatchIsDnatedToTheBackendTheTableDecides() {
        String[] vips = {"10.96.0.3", "10.96.0.10", "10.96.0.20"};
        int[] endpointCounts = {3, 10, 20};
        for (int s = 0; s < vips.length; s++) {
            flow.clusterIpService("svc-" + s, vips[s], Protocol.TCP, 80, 8080, backends(s * 32, endpointCounts[s]));
        }
        ServiceTable table = flow.serviceTable();
        for (int s = 0; s < vips.length; s++) {
            int frontend = table.findFrontend(0, Addresses.ipv4Lo(Ipv4Address.parse(vips[s])), 80, 6);
            assertEquals(s + 1, table.decisionLines(frontend), vips[s] + ": " + endpointCounts[s] + " endpoints");
        }
        final int flowsPerService = 16;
        try (StageHarness h = new StageHarness(flow.tables(), flow.conntrack(), flow.settings(), 3, 256)) {
            final ConntrackStage conntrack = new ConntrackStage(h.context(), new ConntrackFlows(h.context().conntrack()));
            for (int i = 0; i < vips.length * flowsPerService; i++) {
                h.add(0, syn(POD_A, 40_000 + i, Ipv4Address.parse(vips[i % vips.length]), 80));
            }
            assertEquals(vips.length * flowsPerService, h.run(h.stage(ParseStage::new), conntrack, h.stage(ServiceDnatStage::new)));
            final PacketBatch b = h.batch();
            final ServiceDecision decision = new ServiceDecision();
            for (int i = 0; i < vips.length * flowsPerService; i++) {
                int vip = Ipv4Address.parse(vips[i % vips.length]);
                int hash = FlowHash.of(POD_A, vip, ConntrackDescriptor.ports(40_000 + i, 80), 6);
                assertEquals(ServiceVerdict.FORWARD, table.decideNewFlow(Addresses.IPV4_MAPPED_HI, Addresses.ipv4Lo(vip), 80, 6,
                        Addresses.IPV4_MAPPED_HI, Addresses.ipv4Lo(POD_A), hash, TrafficSource.CLUSTER_POD, 0, null, decision));
                int backend = Addresses.ipv4(decision.backendAddressLo());
                String at = "flow " + i + " to " + vips[i % vips.length];
                assertEquals(FlowFlags.DNAT, b.flowFlags[i], at);
                assertEquals(decision.servicePortId(), b.serviceId[i], at);
                assertEquals(TestFrames.hex(syn(POD_A, 40_000 + i, backend, 8080)), TestFrames.hex(h.frame(i)), at);
            }
        }
    }
}
