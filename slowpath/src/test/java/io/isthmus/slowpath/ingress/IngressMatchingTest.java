package io.isthmus.slowpath.ingress;

import io.isthmus.slowpath.ingress.controller.IngressProblem;
import io.isthmus.slowpath.ingress.controller.OfflineIngresses;
import io.isthmus.slowpath.ingress.match.HostNames;
import io.isthmus.slowpath.ingress.match.RouteMatch;
import io.isthmus.slowpath.ingress.match.RouteTable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The matching cases (cases.txt) against the compiled route table, no sockets. */
class IngressMatchingTest {
    private static final OfflineIngresses ROUTES = OfflineIngresses.load(IngressCases.directory(), IngressCases.CONTROLLER);

    static List<IngressCases> cases() {
        return IngressCases.all();
    }

    @Test
    void thereAreAtLeastThirtyCases() {
        assertTrue(cases().size() >= 30, "cases: " + cases().size());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void routes(IngressCases c) {
        final RouteTable table = ROUTES.compiled().routes();
        final RouteMatch match = table.match(HostNames.ofAuthority(c.host()), c.path());
        assertEquals(c.expected(), match == null ? "404" : match.route().backend().ref().toString(), () -> table.describe());
        if (match != null) {
            final String query = c.target().substring(c.path().length());
            assertEquals(c.upstream(), match.upstreamPath() + query);
        }
    }

    @Test
    void theResourceBackendAndTheNewerConflictAreRefusedNamingTheirIngress() {
        final List<IngressProblem> problems = ROUTES.compiled().problems();
        assertTrue(problems.stream().anyMatch(p -> p.reason().equals("ResourceBackendRefused") && p.name().equals("bucket")
                && p.toString().contains("Ingress default/bucket") && p.message().contains("StorageBucket assets")), problems.toString());
        assertTrue(problems.stream().anyMatch(p -> p.reason().equals("PathConflict") && p.name().equals("conflict")
                && p.message().contains("default/shop")), problems.toString());
        assertEquals(2, problems.size(), problems.toString());
    }

    @Test
    void onlyIsthmusIngressesAreServed() {
        assertEquals(List.of("shop", "conflict", "no-class", "rewrite", "regex", "bucket", "failures"),
                ROUTES.compiled().served().stream().map(i -> i.getMetadata().getName()).toList());
    }
}
