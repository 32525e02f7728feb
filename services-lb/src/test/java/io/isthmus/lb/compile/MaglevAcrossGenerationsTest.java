package io.isthmus.lb.compile;

import static io.isthmus.lb.compile.Fixtures.NODE_A;
import static io.isthmus.lb.compile.Fixtures.key;
import static io.isthmus.lb.compile.Fixtures.ready;
import static io.isthmus.lb.compile.Fixtures.slice;
import static io.isthmus.lb.compile.Fixtures.tcp;
import static io.isthmus.lb.model.Protocol.TCP;
import static io.isthmus.lb.table.TrafficSource.CLUSTER_POD;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.isthmus.lb.model.Endpoint;
import io.isthmus.lb.model.Service;
import io.isthmus.lb.table.ServiceTable;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The compiler updates each backend set's Maglev table from the previous generation. */
class MaglevAcrossGenerationsTest {

    private static final Service WEB = Service.builder("default", "web").clusterIPs("10.96.0.10").port("http", TCP, 80).build();

    private static List<Endpoint> endpoints(int n) {
        List<Endpoint> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(ready("10.244." + (i >> 8) + "." + (i & 255)));
        }
        return out;
    }

    private static double movedShare(ServiceTable before, ServiceTable after, int flows) {
        FlowProbe a = new FlowProbe(before);
        FlowProbe b = new FlowProbe(after);
        SplittableRandom random = new SplittableRandom(1);
        int moved = 0;
        for (int i = 0; i < flows; i++) {
            int hash = random.nextInt();
            a.send("10.96.0.10", 80, TCP, "10.244.200.1", hash, CLUSTER_POD, 0);
            b.send("10.96.0.10", 80, TCP, "10.244.200.1", hash, CLUSTER_POD, 0);
            if (!a.backend().equals(b.backend())) {
                moved++;
            }
        }
        return (double) moved / flows;
    }

    @Test
    void removingOneOf100EndpointsMovesAbout1PercentOfNewFlows() {
        ServiceCompiler compiler = new ServiceCompiler(NODE_A);
        List<Endpoint> all = endpoints(100);
        ServiceTable before = compiler.compile(List.of(WEB), List.of(slice("web", "s", all, tcp("http", 8080)))).table();
        List<Endpoint> rest = new ArrayList<>(all);
        rest.remove(37);
        ServiceTable after = compiler.compile(List.of(WEB), List.of(slice("web", "s", rest, tcp("http", 8080)))).table();
        double share = movedShare(before, after, 50_000);
        assertTrue(share <= 1.2 / 100 && share >= 0.8 / 100, "moved " + share);
    }

    @Test
    void scalingFrom2To3ReplicasKeepsMSoOnlyTheNewBackendsShareMoves() {
        ServiceCompiler compiler = new ServiceCompiler(NODE_A);
        ServiceTable two = compiler.compile(List.of(WEB), List.of(slice("web", "s", endpoints(2), tcp("http", 8080)))).table();
        ServiceTable three = compiler.compile(List.of(WEB), List.of(slice("web", "s", endpoints(3), tcp("http", 8080)))).table();
        int f2 = two.findFrontend(key("10.96.0.10", 80, TCP));
        int f3 = three.findFrontend(key("10.96.0.10", 80, TCP));
        assertEquals(two.maglevSize(f2), three.maglevSize(f3));
        double share = movedShare(two, three, 30_000);
        assertTrue(share <= 1.2 / 3, "moved " + share);
    }

    /** Session 4: 3 backends have the small-set M = 71; a fourth keeps it (17-18 entries each) instead of reshuffling to 401. */
    @Test
    void scalingFrom3To4ReplicasKeepsTheSmallSetM() {
        ServiceCompiler compiler = new ServiceCompiler(NODE_A);
        ServiceTable three = compiler.compile(List.of(WEB), List.of(slice("web", "s", endpoints(3), tcp("http", 8080)))).table();
        ServiceTable four = compiler.compile(List.of(WEB), List.of(slice("web", "s", endpoints(4), tcp("http", 8080)))).table();
        int f3 = three.findFrontend(key("10.96.0.10", 80, TCP));
        int f4 = four.findFrontend(key("10.96.0.10", 80, TCP));
        assertEquals(71, three.maglevSize(f3));
        assertTrue(three.isCompact(f3), "3 IPv4 backends, nothing but Maglev: one line");
        assertEquals(71, four.maglevSize(f4));
        double share = movedShare(three, four, 30_000);
        assertTrue(share <= 1.2 / 4, "moved " + share);
        ServiceTable backToThree = compiler.compile(List.of(WEB), List.of(slice("web", "s", endpoints(3), tcp("http", 8080)))).table();
        assertTrue(backToThree.isCompact(backToThree.findFrontend(key("10.96.0.10", 80, TCP))));
        assertTrue(movedShare(four, backToThree, 30_000) <= 1.2 / 4, "removing one of 4 moves about 1/4");
    }

    @Test
    void aFreshCompilerBuildsTheSameTableFromTheSameSet() {
        List<Endpoint> all = endpoints(20);
        ServiceTable a = new ServiceCompiler(NODE_A).compile(List.of(WEB), List.of(slice("web", "s", all, tcp("http", 8080)))).table();
        ServiceTable b = new ServiceCompiler(NODE_A).compile(List.of(WEB), List.of(slice("web", "s", all.reversed(), tcp("http", 8080)))).table();
        assertEquals(0.0, movedShare(a, b, 20_000), "no history: a pure function of the backend set, whatever the input order");
    }
}
