package io.isthmus.fastpath.testing;

import io.isthmus.fastpath.packet.Ipv4Address;
import io.isthmus.fastpath.pipeline.RouteTable;

/**
 * The three-pod node the flow tests switch between: pod A, B and C on ports 0, 1 and 2, one
 * gateway address, one Service address; and the warm-up that teaches the switch the pods' MACs.
 *
 * <p><b>Thread-safety:</b> constants; {@link #learnPods} uses the harness from the test's thread.
 */
public final class ThreePods {
    public static final long SWITCH_0 = FlowFrames.mac("02:00:00:00:00:01");
    public static final long SWITCH_1 = FlowFrames.mac("02:00:00:00:00:02");
    public static final long SWITCH_2 = FlowFrames.mac("02:00:00:00:00:03");
    public static final long MAC_A = FlowFrames.mac("0a:00:00:00:00:0a");
    public static final long MAC_B = FlowFrames.mac("0a:00:00:00:00:0b");
    public static final long MAC_C = FlowFrames.mac("0a:00:00:00:00:0c");
    public static final int POD_A = Ipv4Address.parse("10.244.1.2");
    public static final int POD_B = Ipv4Address.parse("10.244.1.3");
    public static final int POD_C = Ipv4Address.parse("10.244.1.4");
    public static final int GATEWAY = Ipv4Address.parse("169.254.1.1");
    public static final int VIP = Ipv4Address.parse("10.96.0.10");
    /** The number of ports, one per pod. */
    public static final int PORTS = 3;

    private ThreePods() {
    }

    /** Generation 1: pod A on port 0, B on 1, C on 2. */
    public static RouteTable routes() {
        return RouteTable.builder(1).port(0, SWITCH_0, POD_A).port(1, SWITCH_1, POD_B).port(2, SWITCH_2, POD_C).build();
    }

    /** Each pod resolves its gateway, which teaches the switch the pod's MAC; the answers are dropped. */
    public static PipelineHarness learnPods(PipelineHarness harness) {
        harness.send(0, TestFrames.arpRequestFrame(MAC_A, POD_A, GATEWAY));
        harness.send(1, TestFrames.arpRequestFrame(MAC_B, POD_B, GATEWAY));
        harness.send(2, TestFrames.arpRequestFrame(MAC_C, POD_C, GATEWAY));
        harness.run();
        for (int p = 0; p < PORTS; p++) {
            harness.transmitted(p);
        }
        return harness;
    }
}
