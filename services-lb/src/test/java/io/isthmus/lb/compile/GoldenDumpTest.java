package io.isthmus.lb.compile;

import static io.isthmus.lb.compile.Fixtures.NODE_A;
import static io.isthmus.lb.compile.Fixtures.OTHER_NODE;
import static io.isthmus.lb.compile.Fixtures.THIS_NODE;
import static io.isthmus.lb.compile.Fixtures.ready;
import static io.isthmus.lb.compile.Fixtures.slice;
import static io.isthmus.lb.compile.Fixtures.tcp;
import static io.isthmus.lb.compile.Fixtures.udp;
import static io.isthmus.lb.compile.Fixtures.withConditions;
import static io.isthmus.lb.model.Protocol.TCP;
import static io.isthmus.lb.model.Protocol.UDP;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.isthmus.lb.model.EndpointConditions;
import io.isthmus.lb.model.Service;
import io.isthmus.lb.model.ServiceType;
import io.isthmus.lb.model.TrafficPolicy;
import io.isthmus.lb.table.ServiceTableDump;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A mixed set of Services compiled and dumped, compared with a reviewed golden file. After an
 * intended change, regenerate with {@code -Dgolden.update=true} and review the diff.
 */
class GoldenDumpTest {

    private static final Path GOLDEN = Path.of("src", "test", "resources", "golden", "mixed-services.txt");

    @Test
    void mixedServicesCompileToTheReviewedTable() throws Exception {
        Service web = Service.builder("default", "web").type(ServiceType.LOAD_BALANCER).clusterIPs("10.96.0.10")
                .port("http", TCP, 80, 30080).loadBalancerIngressIPs("203.0.113.10").loadBalancerSourceRanges("198.51.100.0/24")
                .externalTrafficPolicy(TrafficPolicy.LOCAL).healthCheckNodePort(32000).build();
        Service dns = Service.builder("kube-system", "dns").clusterIPs("10.96.0.53")
                .port("dns", UDP, 53).port("dns-tcp", TCP, 53).sessionAffinityClientIP(0).build();
        Service empty = Service.builder("default", "empty").clusterIPs("10.96.0.99").port("http", TCP, 80).build();
        Service headless = Service.builder("default", "db").clusterIPs("None").port("pg", TCP, 5432).build();
        Compilation c = new ServiceCompiler(NODE_A).compile(List.of(web, dns, empty, headless), List.of(
                slice("web", "web-1", List.of(ready("10.244.1.2", THIS_NODE), ready("10.244.2.2", OTHER_NODE),
                        withConditions("10.244.1.3", EndpointConditions.SERVING_TERMINATING, THIS_NODE)), tcp("http", 8080)),
                new io.isthmus.lb.model.EndpointSlice("kube-system", "dns-1", "dns", null,
                        List.of(ready("10.244.1.5", THIS_NODE), ready("10.244.2.5", OTHER_NODE)),
                        List.of(udp("dns", 1053), tcp("dns-tcp", 1053)), java.util.Map.of())));
        String dump = ServiceTableDump.dump(c.table());
        if (Boolean.getBoolean("golden.update")) {
            Files.createDirectories(GOLDEN.getParent());
            Files.writeString(GOLDEN, dump, StandardCharsets.UTF_8);
        }
        assertEquals(Files.readString(GOLDEN, StandardCharsets.UTF_8), dump);
    }
}
