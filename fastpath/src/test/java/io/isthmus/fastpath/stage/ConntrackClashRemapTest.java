package io.isthmus.fastpath.stage;

import io.isthmus.fastpath.pipeline.DropReason;
import io.isthmus.fastpath.testing.FlowFrames;
import io.isthmus.fastpath.testing.FlowTables;
import io.isthmus.fastpath.testing.PipelineHarness;
import io.isthmus.fastpath.testing.TestFrames;
import io.isthmus.fastpath.testing.ThreePods;
import io.isthmus.lb.model.Protocol;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.isthmus.fastpath.testing.TestFrames.hex;
import static io.isthmus.fastpath.testing.ThreePods.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A new connection whose reply tuple another connection already has: pod A sent from port P
 * straight to backend B:9 (the entry's reply is B:9 → A:P), then from the same port to a ClusterIP
 * that DNATs to B:9 (reply B:9 → A:P again). Linux remaps the source port of the second; the fast
 * path used to drop every packet of it (CONNTRACK_CLASH) until the first entry expired, which is
 * how the harness's 1-flow ClusterIP figure delivered nothing right after the 1-flow pod → pod
 * figure (issue 10). Frames are built from scratch, so the rewritten checksums are checked too.
 */
class ConntrackClashRemapTest {
    private static final int PORT = 7000;
    private static final int SERVICE_PORT = 5001;
    private static final int TARGET_PORT = 9;

    private final FlowTables flow = new FlowTables(ThreePods.routes());
    private PipelineHarness harness;

    @AfterEach
    void close() {
        if (harness != null) {
            harness.close();
        }
    }

    private List<byte[]> exchange(int port, byte[] frame, int outPort) {
        harness.send(port, frame);
        harness.run();
        return harness.transmitted(outPort);
    }

    private static int sourcePortOf(byte[] frame) {
        return (frame[34] & 0xFF) << 8 | (frame[35] & 0xFF);
    }

    @Test
    void udpToAClusterIpFromThePortAPodUsedForItsBackendDirectlyGetsANewSourcePortBothWays() {
        flow.clusterIpService("sink", "10.96.0.10", Protocol.UDP, SERVICE_PORT, TARGET_PORT, "10.244.1.3");
        harness = ThreePods.learnPods(new PipelineHarness(flow.tables(), flow.conntrack(), flow.settings(), ThreePods.PORTS));
        final byte[] direct = FlowFrames.udp(SWITCH_0, MAC_A, POD_A, PORT, POD_B, TARGET_PORT, new byte[18]);
        assertEquals(List.of(hex(TestFrames.routed(direct, MAC_B, SWITCH_1))), exchange(0, direct, 1).stream().map(TestFrames::hex).toList());

        for (int round = 0; round < 3; round++) { // the first packet inserts, the later ones follow the entry
            final List<byte[]> out = exchange(0, FlowFrames.udp(SWITCH_0, MAC_A, POD_A, PORT, VIP, SERVICE_PORT, new byte[18]), 1);
            assertEquals(1, out.size(), harness.worker().drops().describe());
            final int remapped = sourcePortOf(out.get(0));
            assertNotEquals(PORT, remapped, "the reply tuple B:9 -> A:7000 is the direct flow's");
            assertTrue(remapped >= 1024, "a port >= 1024 stays >= 1024: " + remapped);
            assertEquals(hex(TestFrames.routed(FlowFrames.udp(SWITCH_0, MAC_A, POD_A, remapped, POD_B, TARGET_PORT, new byte[18]),
                    MAC_B, SWITCH_1)), hex(out.get(0)));

            final List<byte[]> reply = exchange(1, FlowFrames.udp(SWITCH_1, MAC_B, POD_B, TARGET_PORT, POD_A, remapped, "r".getBytes()), 0);
            assertEquals(List.of(hex(TestFrames.routed(FlowFrames.udp(SWITCH_1, MAC_B, VIP, SERVICE_PORT, POD_A, PORT, "r".getBytes()),
                    MAC_A, SWITCH_0))), reply.stream().map(TestFrames::hex).toList(), "the reply comes from the ClusterIP to the port A sent from");
        }
        // The direct flow is untouched: its reply still goes back as it was.
        final byte[] directReply = FlowFrames.udp(SWITCH_1, MAC_B, POD_B, TARGET_PORT, POD_A, PORT, "d".getBytes());
        assertEquals(List.of(hex(TestFrames.routed(directReply, MAC_A, SWITCH_0))), exchange(1, directReply, 0).stream().map(TestFrames::hex).toList());
        assertEquals(2, flow.conntrack().size());
        assertEquals(0, harness.drops(DropReason.CONNTRACK_CLASH));
    }

    @Test
    void aDirectTcpConnectionFromThePortOfALiveClusterIpConnectionGetsANewSourcePort_aPortBelow1024StaysBelow1024() {
        flow.clusterIpService("web", "10.96.0.10", Protocol.TCP, 80, 8080, "10.244.1.3");
        harness = ThreePods.learnPods(new PipelineHarness(flow.tables(), flow.conntrack(), flow.settings(), ThreePods.PORTS));
        final int lowPort = 700;
        final byte[] viaService = FlowFrames.tcp(SWITCH_0, MAC_A, POD_A, lowPort, VIP, 80, 1, 0, FlowFrames.SYN, new byte[0]);
        assertEquals(List.of(hex(TestFrames.routed(FlowFrames.tcp(SWITCH_0, MAC_A, POD_A, lowPort, POD_B, 8080, 1, 0, FlowFrames.SYN,
                new byte[0]), MAC_B, SWITCH_1))), exchange(0, viaService, 1).stream().map(TestFrames::hex).toList());

        final List<byte[]> out = exchange(0, FlowFrames.tcp(SWITCH_0, MAC_A, POD_A, lowPort, POD_B, 8080, 50, 0, FlowFrames.SYN, new byte[0]), 1);
        assertEquals(1, out.size(), harness.worker().drops().describe());
        final int remapped = sourcePortOf(out.get(0));
        assertTrue(remapped >= 600 && remapped < 1024 && remapped != lowPort, "remapped within 600-1023: " + remapped);
        assertEquals(hex(TestFrames.routed(FlowFrames.tcp(SWITCH_0, MAC_A, POD_A, remapped, POD_B, 8080, 50, 0, FlowFrames.SYN,
                new byte[0]), MAC_B, SWITCH_1)), hex(out.get(0)));
        final byte[] synAck = FlowFrames.tcp(SWITCH_1, MAC_B, POD_B, 8080, POD_A, remapped, 9, 51, FlowFrames.SYN_ACK, new byte[0]);
        assertEquals(List.of(hex(TestFrames.routed(FlowFrames.tcp(SWITCH_1, MAC_B, POD_B, 8080, POD_A, lowPort, 9, 51, FlowFrames.SYN_ACK,
                new byte[0]), MAC_A, SWITCH_0))), exchange(1, synAck, 0).stream().map(TestFrames::hex).toList());
        assertEquals(0, harness.drops(DropReason.CONNTRACK_CLASH));
    }
}
