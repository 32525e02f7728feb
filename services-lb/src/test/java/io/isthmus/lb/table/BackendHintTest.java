package io.isthmus.lb.table;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.isthmus.lb.compile.NodeContext;
import io.isthmus.lb.compile.ServiceCompiler;
import io.isthmus.lb.ip.IpAddress;
import io.isthmus.lb.model.AddressType;
import io.isthmus.lb.model.Endpoint;
import io.isthmus.lb.model.EndpointConditions;
import io.isthmus.lb.model.EndpointPort;
import io.isthmus.lb.model.EndpointSlice;
import io.isthmus.lb.model.Protocol;
import io.isthmus.lb.model.Service;
import io.isthmus.lb.maglev.MaglevSizing;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The batch helper names the backend record {@link ServiceTable#decide} then picks (cluster set), and -1 when there is none. */
class BackendHintTest {

    @Test
    void theHintIsTheRecordOfTheBackendTheDecisionPicks() {
        Service web = Service.builder("default", "web").clusterIPs("10.96.0.10").port("http", Protocol.TCP, 80).build();
        Service empty = Service.builder("default", "empty").clusterIPs("10.96.0.11").port("http", Protocol.TCP, 80).build();
        List<Endpoint> endpoints = List.of(Endpoint.of("10.244.1.2", EndpointConditions.READY, "n"),
                Endpoint.of("10.244.1.3", EndpointConditions.READY, "n"), Endpoint.of("10.244.1.4", EndpointConditions.READY, "n"));
        List<EndpointSlice> slices = List.of(new EndpointSlice("default", "web-1", "web", AddressType.IPV4, endpoints,
                List.of(EndpointPort.of("http", Protocol.TCP, 8080)), Map.of()));
        // without small Maglev sets (M = 307), so that the frontend is not compact and has hints
        ServiceTable t = new ServiceCompiler(NodeContext.of("n", "192.168.1.10"), new MaglevSizing(251, 65_537, 100))
                .compile(List.of(web, empty), slices).table();
        int frontend = t.findFrontend(0, IpAddress.ipv4Lo(0x0a60_000a), 80, 6);
        assertFalse(t.isCompact(frontend));
        ServiceDecision decision = new ServiceDecision();
        SplittableRandom random = new SplittableRandom(1);
        for (int n = 0; n < 1000; n++) {
            int hash = random.nextInt();
            int hint = t.backendHint(frontend, hash);
            t.decide(frontend, 0, IpAddress.ipv4Lo(0x0af5_0001), hash, TrafficSource.CLUSTER_POD, 0, null, decision);
            assertEquals(t.backends(frontend).get(t.maglevSlot(frontend, hash, false) - 1).port(), decision.backendPort());
            assertEquals(hint, t.backendHint(frontend, hash), "a hint is a pure function of the flow");
            assertEquals(decision.backendId(), t.backendIdAt(hint));
            ServiceDecision hinted = new ServiceDecision();
            t.decide(frontend, hint, 0, IpAddress.ipv4Lo(0x0af5_0001), hash, TrafficSource.CLUSTER_POD, 0, null, hinted);
            assertEquals(decision.backendId(), hinted.backendId(), "deciding with the hint picks what deciding without it picks");
            assertEquals(decision.backendAddressLo(), hinted.backendAddressLo());
        }
        assertEquals(-1, t.backendHint(t.findFrontend(0, IpAddress.ipv4Lo(0x0a60_000b), 80, 6), 12345), "no endpoints: no hint");
        assertEquals(-1, t.backendHint(-1, 12345));
        assertEquals(0, t.touchBackend(-1));

        ServiceTable adaptive = new ServiceCompiler(NodeContext.of("n", "192.168.1.10")).compile(List.of(web, empty), slices).table();
        int compact = adaptive.findFrontend(0, IpAddress.ipv4Lo(0x0a60_000a), 80, 6);
        assertTrue(adaptive.isCompact(compact), "3 IPv4 backends, M = 71: a compact bucket");
        assertEquals(-1, adaptive.backendHint(compact, 12345), "a compact decision needs no hint");
    }
}
