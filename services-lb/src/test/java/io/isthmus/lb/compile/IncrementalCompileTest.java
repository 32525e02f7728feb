package io.isthmus.lb.compile;

import static io.isthmus.lb.compile.Fixtures.NODE_A;
import static io.isthmus.lb.compile.Fixtures.OTHER_NODE;
import static io.isthmus.lb.compile.Fixtures.THIS_NODE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.isthmus.lb.model.AddressType;
import io.isthmus.lb.model.Endpoint;
import io.isthmus.lb.model.EndpointConditions;
import io.isthmus.lb.model.EndpointPort;
import io.isthmus.lb.model.EndpointSlice;
import io.isthmus.lb.model.Protocol;
import io.isthmus.lb.model.ProxyLabels;
import io.isthmus.lb.model.Service;
import io.isthmus.lb.model.ServiceName;
import io.isthmus.lb.model.ServiceType;
import io.isthmus.lb.model.TrafficPolicy;
import io.isthmus.lb.table.BackendView;
import io.isthmus.lb.table.FrontendKey;
import io.isthmus.lb.table.ServiceTable;
import io.isthmus.lb.table.ServiceTableDump;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The incremental compilation (only changed Services recompiled, the table assembled from cached
 * pieces) gives exactly what recompiling every Service gives, after any sequence of changes:
 * same frontends, backends, ids, Maglev entries, stale UDP backends, newly served UDP frontends,
 * health checks and warnings.
 */
class IncrementalCompileTest {

    private static final int STEPS = 200;

    @Test
    void randomUpsertsAndDeletesGiveTheSameGenerationsAsAFullRecompile() {
        for (long seed = 1; seed <= 4; seed++) {
            runSequence(seed);
        }
    }

    @Test
    void onlyTheChangedServiceIsRecompiledAndItsIdsAreForgottenWhenItGoes() {
        ServiceCompiler compiler = new ServiceCompiler(NODE_A);
        for (int i = 0; i < 3; i++) {
            compiler.putService(Service.builder("default", "s" + i).clusterIPs("10.96.0." + (10 + i)).port("p", Protocol.UDP, 53).build());
            compiler.putSlice("default/s" + i, slice("s" + i, "s" + i, List.of(Endpoint.of("10.244.0." + (1 + i), EndpointConditions.READY, OTHER_NODE))));
        }
        Compilation first = compiler.compile();
        assertEquals(3, first.udpFrontendsNowServed().size());
        assertEquals(3, compiler.servicePortIdsHeld());
        assertFalse(compiler.hasChanges());

        compiler.removeService(new ServiceName("default", "s1"));
        assertTrue(compiler.hasChanges());
        Compilation second = compiler.compile();
        assertEquals(2, second.table().frontendCount());
        assertEquals(List.of(StaleUdpBackend.udp(io.isthmus.lb.ip.IpAddress.parse("10.244.0.2"), 5353)), second.staleUdpBackends());
        assertEquals(2, compiler.servicePortIdsHeld(), "the removed Service's port id is forgotten");
        int id0 = second.table().servicePortId(second.table().findFrontend(Fixtures.key("10.96.0.10", 53, Protocol.UDP)));
        assertEquals(first.table().servicePortId(first.table().findFrontend(Fixtures.key("10.96.0.10", 53, Protocol.UDP))), id0);
    }

    private static void runSequence(long seed) {
        Random random = new Random(seed);
        ServiceCompiler incremental = new ServiceCompiler(NODE_A);
        ServiceCompiler full = new ServiceCompiler(NODE_A);
        Map<String, Service> services = new LinkedHashMap<>();
        Map<String, EndpointSlice> slices = new LinkedHashMap<>();
        for (int step = 0; step < STEPS; step++) {
            int changes = 1 + random.nextInt(4);
            for (int c = 0; c < changes; c++) {
                int what = random.nextInt(10);
                if (what < 3) {
                    Service s = randomService(random);
                    String key = s.serviceName().namespace() + "/" + s.serviceName().name();
                    services.put(key, s);
                    incremental.putService(s);
                } else if (what < 4 && !services.isEmpty()) {
                    String key = pick(random, services);
                    incremental.removeService(services.remove(key).serviceName());
                } else if (what < 8) {
                    String key = "default/slice-" + random.nextInt(40);
                    EndpointSlice slice = randomSlice(random, key.substring("default/".length()));
                    slices.remove(key); // a replaced slice moves to the end, as in the compiler's per-Service order
                    slices.put(key, slice);
                    incremental.putSlice(key, slice);
                } else if (!slices.isEmpty()) {
                    String key = pick(random, slices);
                    slices.remove(key);
                    incremental.removeSlice(key);
                }
            }
            Compilation inc = incremental.compile();
            Compilation ref = full.compile(new ArrayList<>(services.values()), new ArrayList<>(slices.values()));
            String where = "seed " + seed + " step " + step;
            assertEquals(fingerprint(ref.table()), fingerprint(inc.table()), where);
            assertEquals(ref.staleUdpBackends(), inc.staleUdpBackends(), where);
            assertEquals(ref.udpFrontendsNowServed(), inc.udpFrontendsNowServed(), where);
            assertEquals(ref.healthChecks(), inc.healthChecks(), where);
            assertEquals(ref.ignoredServices(), inc.ignoredServices(), where);
            assertEquals(ref.warnings().stream().sorted().toList(), inc.warnings().stream().sorted().toList(), where);
        }
    }

    /** The dump plus what it leaves out: service-port ids, backend ids and every Maglev entry. */
    private static String fingerprint(ServiceTable table) {
        StringBuilder out = new StringBuilder(ServiceTableDump.dump(table));
        List<FrontendKey> keys = new ArrayList<>(table.frontendKeys());
        keys.sort((a, b) -> a.toString().compareTo(b.toString()));
        for (FrontendKey key : keys) {
            int f = table.findFrontend(key);
            out.append(key).append(" spid=").append(table.servicePortId(f)).append(" ids=");
            for (BackendView b : table.backends(f)) {
                out.append(b.backendId()).append(',');
            }
            int sizeM = table.maglevSize(f);
            if (sizeM > 0) {
                out.append(" cluster=");
                for (int h = 0; h < sizeM; h++) {
                    out.append(table.maglevSlot(f, h, false)).append(',');
                }
                if (table.localBackendCount(f) > 0 && (table.flags(f) & (io.isthmus.lb.table.ServiceTableDescriptor.FLAG_EXTERNAL_POLICY_LOCAL
                        | io.isthmus.lb.table.ServiceTableDescriptor.FLAG_INTERNAL_POLICY_LOCAL)) != 0) {
                    out.append(" local=");
                    for (int h = 0; h < sizeM; h++) {
                        out.append(table.maglevSlot(f, h, true)).append(',');
                    }
                }
            }
            out.append('\n');
        }
        return out.toString();
    }

    private static Service randomService(Random random) {
        int n = random.nextInt(12);
        Service.Builder b = Service.builder("default", "svc-" + n)
                .clusterIPs("10.96.0." + (10 + random.nextInt(14))); // some cluster IPs collide: first Service wins
        ServiceType type = ServiceType.values()[random.nextInt(ServiceType.values().length)];
        b.type(type);
        if (random.nextBoolean()) {
            b.port("http", Protocol.TCP, 80, 30000 + n);
        }
        b.port("dns", Protocol.UDP, 53, 31000 + n);
        if (random.nextInt(4) == 0) {
            b.sessionAffinityClientIP(60 + random.nextInt(100));
        }
        if (random.nextInt(3) == 0) {
            b.externalTrafficPolicy(TrafficPolicy.LOCAL).healthCheckNodePort(32000 + n);
        }
        if (random.nextInt(5) == 0) {
            b.internalTrafficPolicy(TrafficPolicy.LOCAL);
        }
        if (type == ServiceType.LOAD_BALANCER) {
            b.loadBalancerIngressIPs("203.0.113." + random.nextInt(6));
            if (random.nextBoolean()) {
                b.loadBalancerSourceRanges("198.51.100.0/24");
            }
        }
        if (random.nextInt(6) == 0) {
            b.externalIPs("192.0.2." + random.nextInt(4));
        }
        if (random.nextInt(10) == 0) {
            b.label(ProxyLabels.SERVICE_PROXY_NAME, "another-proxy");
        }
        return b.build();
    }

    private static EndpointSlice randomSlice(Random random, String name) {
        String service = random.nextInt(15) == 0 ? null : "svc-" + random.nextInt(12);
        List<Endpoint> endpoints = new ArrayList<>();
        int count = random.nextInt(5);
        EndpointConditions[] conditions = {EndpointConditions.READY, EndpointConditions.READY, EndpointConditions.SERVING_TERMINATING,
                EndpointConditions.TERMINATING_NOT_SERVING, EndpointConditions.NOT_READY};
        for (int i = 0; i < count; i++) {
            endpoints.add(Endpoint.of("10.244.0." + (1 + random.nextInt(20)), conditions[random.nextInt(conditions.length)],
                    random.nextBoolean() ? THIS_NODE : OTHER_NODE));
        }
        List<EndpointPort> ports = new ArrayList<>();
        ports.add(EndpointPort.of("dns", Protocol.UDP, 5353));
        if (random.nextBoolean()) {
            ports.add(EndpointPort.of("http", Protocol.TCP, 8080 + random.nextInt(2)));
        }
        return new EndpointSlice("default", name, service, AddressType.IPV4, endpoints, ports, Map.of());
    }

    private static EndpointSlice slice(String service, String name, List<Endpoint> endpoints) {
        return new EndpointSlice("default", name, service, AddressType.IPV4, endpoints, List.of(EndpointPort.of("p", Protocol.UDP, 5353)), Map.of());
    }

    private static String pick(Random random, Map<String, ?> map) {
        List<String> keys = new ArrayList<>(map.keySet());
        return keys.get(random.nextInt(keys.size()));
    }
}
