package io.isthmus.slowpath.agent.health;

import io.isthmus.conntrack.ConntrackTable;
import io.isthmus.conntrack.ConntrackTimeouts;
import io.isthmus.conntrack.nat.SnatPortPool;
import io.isthmus.fastpath.control.DesiredKind;
import io.isthmus.fastpath.control.DesiredStateTables;
import io.isthmus.fastpath.control.FastpathTables;
import io.isthmus.fastpath.control.compile.NodeSettings;
import io.isthmus.fastpath.packet.Ipv4Address;
import io.isthmus.fastpath.pipeline.FlowSettings;
import io.isthmus.fastpath.pipeline.RouteTable;
import io.isthmus.fastpath.pipeline.RouteTableRef;
import io.isthmus.fastpath.runtime.FastpathRuntimeConfig;
import io.isthmus.lb.model.AddressType;
import io.isthmus.lb.model.Endpoint;
import io.isthmus.lb.model.EndpointConditions;
import io.isthmus.lb.model.EndpointPort;
import io.isthmus.lb.model.EndpointSlice;
import io.isthmus.lb.model.Protocol;
import io.isthmus.lb.model.Service;
import io.isthmus.lb.model.ServiceType;
import io.isthmus.lb.model.TrafficPolicy;
import io.isthmus.slowpath.agent.AgentConfig;
import io.isthmus.slowpath.cni.Ipv4Cidr;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The agent's Service glue from its configuration: the flow settings carry the node address and
 * pod CIDR, and a compilation listing an externalTrafficPolicy Local Service opens its
 * health-check node port on the node address (loopback here), which a real HTTP client reads;
 * deleting the Service closes it.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class NodeServicesTest {

    private static AgentConfig config(String... nodeAddresses) {
        return new AgentConfig(FastpathRuntimeConfig.small(Path.of("/dev/shm/unused")), Path.of("/dev/shm/unused-aeron"),
                Path.of("/run/unused.sock"), Path.of("/var/lib/unused"), Ipv4Cidr.parse("10.244.3.0/24"), -1, Duration.ofSeconds(1),
                new NodeSettings("node-a", List.of(nodeAddresses), null));
    }

    @Test
    void theFlowSettingsCarryTheNodeAddressAndPodCidrOfTheAgentsConfiguration() {
        try (NodeServices services = NodeServices.forAgent(config("fd00::5", "192.0.2.7"))) {
            final FlowSettings flow = services.runtimeConfig().flow();
            assertEquals(Ipv4Address.parse("192.0.2.7"), flow.nodeIpv4(), "the first IPv4 node address");
            assertTrue(flow.isPod(Ipv4Address.parse("10.244.3.20")));
            assertFalse(flow.isPod(Ipv4Address.parse("10.244.4.20")));
        }
        try (NodeServices services = NodeServices.forAgent(config())) {
            assertEquals(FlowSettings.DEFAULT_NODE_IPV4, services.runtimeConfig().flow().nodeIpv4(), "no address: the pods' gateway");
        }
    }

    @Test
    void aCompilationOpensTheHealthCheckNodePortOnTheNodeAddressAndADeleteClosesIt() throws Exception {
        final int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        final FastpathTables tables = FastpathTables.empty(new RouteTableRef(RouteTable.builder(1).build()));
        final DesiredStateTables compiler = new DesiredStateTables(tables, NodeSettings.of("node-a", "127.0.0.1"));
        try (NodeServices services = NodeServices.forAgent(config("127.0.0.1"));
             ConntrackTable conntrack = ConntrackTable.createInMemory(1024, ConntrackTimeouts.linuxDefaults(), new SnatPortPool());
             HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()) {
            compiler.upsert(DesiredKind.LB_SERVICE, "shop/web", Service.builder("shop", "web").type(ServiceType.LOAD_BALANCER)
                    .clusterIPs("10.96.0.30").port("http", Protocol.TCP, 80, 30080).externalTrafficPolicy(TrafficPolicy.LOCAL)
                    .healthCheckNodePort(port).build());
            compiler.upsert(DesiredKind.LB_ENDPOINT_SLICE, "shop/web-1", new EndpointSlice("shop", "web-1", "web", AddressType.IPV4,
                    List.of(Endpoint.of("10.244.3.5", EndpointConditions.READY, "node-a")),
                    List.of(EndpointPort.of("http", Protocol.TCP, 8080)), Map.of()));
            services.compileCycle().afterRequests(compiler, conntrack);
            awaitPorts(services, Set.of(port));
            final HttpResponse<String> answer = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/"))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, answer.statusCode());
            assertEquals("{\"service\":{\"namespace\":\"shop\",\"name\":\"web\"},\"localEndpoints\":1,\"serviceProxyHealthy\":true}",
                    answer.body());

            compiler.delete(DesiredKind.LB_SERVICE, "shop/web");
            services.compileCycle().afterRequests(compiler, conntrack);
            awaitPorts(services, Set.of());
            assertThrows(ConnectException.class, () -> client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/"))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()));
        }
    }

    /** The cycle hands the list to the servers' own thread: waits (bounded) for it to be applied. */
    private static void awaitPorts(NodeServices services, Set<Integer> expected) throws Exception {
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!services.healthChecks().openPorts().equals(expected) && System.nanoTime() < deadlineNs) {
            Thread.sleep(10);
        }
        assertEquals(expected, services.healthChecks().openPorts());
    }
}
