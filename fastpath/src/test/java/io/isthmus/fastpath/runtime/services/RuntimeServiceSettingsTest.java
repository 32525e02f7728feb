package io.isthmus.fastpath.runtime.services;

import io.isthmus.conntrack.Addresses;
import io.isthmus.fastpath.control.DesiredKind;
import io.isthmus.fastpath.control.DesiredStateTables;
import io.isthmus.fastpath.control.compile.NodeSettings;
import io.isthmus.fastpath.packet.Ipv4Address;
import io.isthmus.fastpath.pipeline.FlowSettings;
import io.isthmus.fastpath.runtime.FastpathRuntime;
import io.isthmus.fastpath.runtime.FastpathRuntimeConfig;
import io.isthmus.fastpath.runtime.PipelineFactory;
import io.isthmus.lb.model.AddressType;
import io.isthmus.lb.model.Endpoint;
import io.isthmus.lb.model.EndpointConditions;
import io.isthmus.lb.model.EndpointPort;
import io.isthmus.lb.model.EndpointSlice;
import io.isthmus.lb.model.Protocol;
import io.isthmus.lb.model.Service;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The runtime (no port attached: a UMEM and a /dev/shm conntrack file, no AF_XDP socket) gives
 * its workers the configured node address and pod CIDR and a shared affinity table, registers
 * SNAT ports for that node address, and runs the Service compile cycle on its control agent.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RuntimeServiceSettingsTest {
    private final Path conntrackFile = Path.of("/dev/shm", "isthmus-test-svcglue-" + UUID.randomUUID());

    @AfterEach
    void removeConntrackFile() throws Exception {
        Files.deleteIfExists(conntrackFile);
    }

    @Test
    void nodeFlowSettingsParseTheAgentsFlagsAndNameWhatIsWrong() {
        final FlowSettings settings = NodeFlowSettings.of("192.0.2.10", "10.244.1.0/24");
        assertEquals(Ipv4Address.parse("192.0.2.10"), settings.nodeIpv4());
        assertTrue(settings.isPod(Ipv4Address.parse("10.244.1.77")));
        assertFalse(settings.isPod(Ipv4Address.parse("10.244.2.1")));
        assertEquals(FlowSettings.DEFAULT_NODE_IPV4, NodeFlowSettings.of(null, "10.244.0.0/16").nodeIpv4());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> NodeFlowSettings.of("node-a", "10.244.1.0/24"))
                .getMessage().contains("node address 'node-a'"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> NodeFlowSettings.of("192.0.2.10", "10.244.1.0"))
                .getMessage().contains("pod CIDR"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> NodeFlowSettings.of("192.0.2.10", "10.244.1.0/33"))
                .getMessage().contains("0..32"));
    }

    @Test
    void theRuntimeUsesTheConfiguredNodeAddressAndAnAffinityTableAndFlushesOnItsControlAgent() throws Exception {
        final ServiceCompileCycle cycle = new ServiceCompileCycle();
        final FastpathRuntimeConfig config = FastpathRuntimeConfig.small(conntrackFile)
                .withFlow(NodeFlowSettings.of("192.0.2.10", "10.244.1.0/24"));
        try (FastpathRuntime runtime = FastpathRuntime.start(config,
                tables -> new DesiredStateTables(tables, NodeSettings.of("node-a", "192.0.2.10")), PipelineFactory.switching(), cycle)) {
            final FlowSettings used = runtime.worker().context().flowSettings();
            assertNotNull(runtime.affinity(), "a ClientIP affinity table for the workers");
            assertSame(runtime.affinity(), used.affinity());
            assertEquals(Ipv4Address.parse("192.0.2.10"), used.nodeIpv4());
            assertTrue(used.isPod(Ipv4Address.parse("10.244.1.9")));
            assertFalse(used.isPod(Ipv4Address.parse("192.0.2.10")));
            final long nodeLo = Addresses.ipv4Lo(Ipv4Address.parse("192.0.2.10"));
            assertNotNull(runtime.conntrack().snatPool().find(Addresses.IPV4_MAPPED_HI, nodeLo, 6));
            assertNotNull(runtime.conntrack().snatPool().find(Addresses.IPV4_MAPPED_HI, nodeLo, 17));
            assertNull(runtime.conntrack().snatPool().find(Addresses.IPV4_MAPPED_HI, Addresses.ipv4Lo(FlowSettings.DEFAULT_NODE_IPV4), 17),
                    "no SNAT ports for the gateway when the node address is configured");

            runtime.control().upsert(DesiredKind.LB_SERVICE, "default/dns", Service.builder("default", "dns").clusterIPs("10.96.0.10")
                    .port("dns", Protocol.UDP, 53).build());
            runtime.control().upsert(DesiredKind.LB_ENDPOINT_SLICE, "default/dns-1", new EndpointSlice("default", "dns-1", "dns",
                    AddressType.IPV4, List.of(Endpoint.of("10.244.1.3", EndpointConditions.READY, "node-a")),
                    List.of(EndpointPort.of("dns", Protocol.UDP, 53)), Map.of()));
            runtime.control().barrier().get(10, TimeUnit.SECONDS);
            final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (cycle.compilations() == 0 && System.nanoTime() < deadlineNs) {
                Thread.sleep(10);
            }
            assertEquals(1, cycle.compilations(), "the control agent ran the compile cycle");
            assertNotNull(runtime.tables().services().current(), "the compile cycle published a ServiceTable");
            assertEquals(0, runtime.failedControlRequests());
        }
    }
}
