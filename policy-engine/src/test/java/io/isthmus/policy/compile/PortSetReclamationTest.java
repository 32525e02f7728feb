package io.isthmus.policy.compile;

import io.isthmus.policy.model.IpAddress;
import io.isthmus.policy.model.PodInfo;
import io.isthmus.policy.model.Policy;
import io.isthmus.policy.model.Protocol;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static io.isthmus.policy.Dsl.anyone;
import static io.isthmus.policy.Dsl.peers;
import static io.isthmus.policy.Dsl.pods;
import static io.isthmus.policy.Dsl.policy;
import static io.isthmus.policy.Dsl.range;
import static io.isthmus.policy.Dsl.rule;
import static io.isthmus.policy.Dsl.sel;
import static io.isthmus.policy.Dsl.tcp;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Port sets of replaced and removed policies are reclaimed; snapshots of older generations keep their answers. */
class PortSetReclamationTest {
    private static final int SERVER = IpAddress.parse("10.0.0.1").ipv4Bits();
    private static final int CLIENT = IpAddress.parse("10.0.0.2").ipv4Bits();
    private static final int TCP = Protocol.TCP.index();
    private static final int ROUNDS = 2_000;
    /** Sets alive at once here: NONE, ALL, the steady policy's few and one churn policy's few; the rest is slack. */
    private static final int CAPACITY_BOUND = 300;

    @Test
    @DisplayName("applying and removing policies many times keeps the port set pool bounded")
    void churnKeepsThePoolBounded() {
        final PolicyCompiler compiler = compilerWithTwoPods();
        compiler.putPolicy(policy("ns", "steady", sel("app", "server")).ingress(anyone(tcp(80), tcp(443))).build());
        compiler.putPolicy(churn(0));
        final PolicySnapshot first = compiler.snapshot();
        assertTrue(allows(first, 1000) && allows(first, 20_005) && !allows(first, 1001));

        for (int round = 1; round <= ROUNDS; round++) {
            compiler.putPolicy(churn(round)); // replaces the previous variant: its sets are garbage now
            final PolicySnapshot current = compiler.snapshot();
            assertTrue(allows(current, 1000 + round), "round " + round);
            assertTrue(allows(current, 20_000 + round + 10), "round " + round);
            assertFalse(allows(current, 1000 + round - 1), "round " + round + ": the replaced variant's port");
            assertTrue(allows(current, 443), "round " + round + ": the steady policy");
            if (round % 3 == 0) {
                compiler.removePolicy("ns/churn");
                final PolicySnapshot removed = compiler.snapshot();
                assertFalse(allows(removed, 1000 + round), "round " + round + ": removed");
                assertTrue(allows(removed, 80), "round " + round + ": the steady policy");
            }
            assertTrue(compiler.portSetCapacity() <= CAPACITY_BOUND,
                    "after round " + round + " the pool holds " + compiler.portSetCapacity() + " set ids");
        }

        // A reader still holding the first generation reads what it read then, whatever was reused since.
        assertTrue(allows(first, 1000), "the first generation still allows its port");
        assertTrue(allows(first, 20_005), "the first generation still allows its range");
        assertTrue(allows(first, 443), "the first generation still allows the steady ports");
        assertFalse(allows(first, 1001), "the first generation still refuses what it refused");
        assertFalse(allows(first, 20_000 + ROUNDS + 5), "the first generation still refuses what it refused");
    }

    /** A policy whose ports differ every round: one port and one range, so new sets each time. */
    private static Policy churn(int round) {
        return policy("ns", "churn", sel("app", "server"))
                .ingress(rule(peers(pods(sel("app", "client"))), tcp(1000 + round), range(Protocol.TCP, 20_000 + round, 20_010 + round)))
                .build();
    }

    private static boolean allows(PolicySnapshot snapshot, int port) {
        return snapshot.allows(snapshot.refOfIpv4(CLIENT), snapshot.refOfIpv4(SERVER), TCP, port);
    }

    private static PolicyCompiler compilerWithTwoPods() {
        final PolicyCompiler compiler = new PolicyCompiler();
        compiler.putPod(new PodInfo("ns", "server", Map.of("app", "server"), List.of(IpAddress.ofIpv4(SERVER)), List.of(), true));
        compiler.putPod(new PodInfo("ns", "client", Map.of("app", "client"), List.of(IpAddress.ofIpv4(CLIENT)), List.of(), true));
        return compiler;
    }
}
