package io.isthmus.policy;

import io.isthmus.policy.compile.PolicyCompiler;
import io.isthmus.policy.compile.PolicySnapshot;
import io.isthmus.policy.explain.Endpoint;
import io.isthmus.policy.explain.PolicyExplainer;
import io.isthmus.policy.explain.PolicyModel;
import io.isthmus.policy.model.IpAddress;
import io.isthmus.policy.model.PodInfo;
import io.isthmus.policy.model.Protocol;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Differential test: over random worlds, the compiled snapshot (asked by address, as the fast
 * path asks) and the explainer (the semantics written out) agree on every pair of pods and
 * external addresses, for every protocol and a spread of ports.
 */
class CompiledAgreesWithExplainerTest {

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {11, 12, 13, 14, 15, 16})
    @DisplayName("compiled verdicts = explainer verdicts on random worlds")
    void agree(long seed) {
        final RandomWorld world = new RandomWorld(seed, 3, 14, 10);
        final PolicyCompiler compiler = new PolicyCompiler();
        world.namespaces.values().forEach(compiler::putNamespace);
        world.pods.values().forEach(compiler::putPod);
        world.policies.values().forEach(compiler::putPolicy);
        compiler.setNodeAddresses(world.nodeAddresses);
        final PolicySnapshot snapshot = compiler.snapshot();
        final PolicyModel model = new PolicyModel(world.namespaces, List.copyOf(world.pods.values()),
                List.copyOf(world.policies.values()), new HashSet<>(world.nodeAddresses));
        final PolicyExplainer explainer = new PolicyExplainer(model);

        final List<IpAddress> addresses = new ArrayList<>();
        for (PodInfo pod : world.pods.values()) {
            addresses.addAll(pod.addresses());
        }
        RandomWorld.EXTERNAL.forEach(a -> addresses.add(IpAddress.parse(a)));
        int allowed = 0;
        int denied = 0;
        for (IpAddress from : addresses) {
            for (IpAddress to : addresses) {
                if (from.equals(to) || from.ipv6() != to.ipv6()) {
                    continue;
                }
                for (Protocol protocol : Protocol.values()) {
                    for (int port : new int[] {7999, 8000, 8001, 8002, 8003}) {
                        final Endpoint source = model.endpointOf(from);
                        final Endpoint destination = model.endpointOf(to);
                        final boolean expected = explainer.explain(source, destination, protocol, port).allowed();
                        final boolean compiled = snapshot.allows(ref(snapshot, from), ref(snapshot, to), protocol.index(), port);
                        assertEquals(expected, compiled, () -> source + " -> " + destination + " " + port + "/" + protocol + ": "
                                + explainer.explain(source, destination, protocol, port).lines());
                        if (compiled) {
                            allowed++;
                        } else {
                            denied++;
                        }
                    }
                }
            }
        }
        assertTrue(allowed > 0 && denied > 0, "the world exercises both verdicts (" + allowed + " allowed, " + denied + " denied)");
    }

    private static int ref(PolicySnapshot snapshot, IpAddress address) {
        return address.ipv6() ? snapshot.refOfIpv6(address.high(), address.low()) : snapshot.refOfIpv4(address.ipv4Bits());
    }
}
