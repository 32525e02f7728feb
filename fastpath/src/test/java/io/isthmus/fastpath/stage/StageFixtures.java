package io.isthmus.fastpath.stage;

import io.isthmus.fastpath.packet.Ipv4Address;
import io.isthmus.fastpath.packet.MacAddress;
import io.isthmus.fastpath.pipeline.RouteTable;

/** Addresses shared by the stage tests: pod A on port 0, pod B on port 1, port 2 without a pod. */
final class StageFixtures {
    static final long SWITCH_MAC_0 = MacAddress.parse("02:00:00:00:00:01");
    static final long SWITCH_MAC_1 = MacAddress.parse("02:00:00:00:00:02");
    static final long SWITCH_MAC_2 = MacAddress.parse("02:00:00:00:00:03");
    static final long POD_MAC_A = MacAddress.parse("0a:00:00:00:00:0a");
    static final long POD_MAC_B = MacAddress.parse("0a:00:00:00:00:0b");
    static final int POD_A = Ipv4Address.parse("10.244.1.2");
    static final int POD_B = Ipv4Address.parse("10.244.1.3");
    static final int GATEWAY = Ipv4Address.parse("169.254.1.1");
    static final int NOWHERE = Ipv4Address.parse("10.9.9.9");

    private StageFixtures() {
    }

    static RouteTable table() {
        return RouteTable.builder(1).port(0, SWITCH_MAC_0, POD_A).port(1, SWITCH_MAC_1, POD_B)
                .port(2, SWITCH_MAC_2, 0).build();
    }
}
