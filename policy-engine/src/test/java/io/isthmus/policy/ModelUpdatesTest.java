package io.isthmus.policy;

import io.isthmus.policy.compile.PolicyCompiler;
import io.isthmus.policy.model.NamespaceInfo;
import io.isthmus.policy.model.PodInfo;
import io.isthmus.policy.model.Policy;
import io.isthmus.policy.model.Protocol;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static io.isthmus.policy.Dsl.ALL;
import static io.isthmus.policy.Dsl.namespaces;
import static io.isthmus.policy.Dsl.peers;
import static io.isthmus.policy.Dsl.pods;
import static io.isthmus.policy.Dsl.podsIn;
import static io.isthmus.policy.Dsl.policy;
import static io.isthmus.policy.Dsl.rule;
import static io.isthmus.policy.Dsl.sel;
import static io.isthmus.policy.Dsl.tcp;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The upstream cases that change the cluster under a policy (namespace labels, pod labels,
 * policy updates and deletions), run through one incremental compiler: each table is checked
 * on the snapshot built after the change, not on a fresh compilation.
 */
class ModelUpdatesTest {
    private final NetpolModel model = new NetpolModel();

    private void expect(PolicyCompiler compiler, String expected, Protocol protocol, int port) {
        assertEquals(NetpolModel.normalise(expected), NetpolModel.normalise(model.compiledMatrix(compiler.snapshot(), protocol, port)));
    }

    @Test
    @DisplayName("upstream: should allow ingress access from updated namespace")
    void updatedNamespace() {
        final PolicyCompiler compiler = model.compiler(List.of(policy("x", "allow-client-a-via-ns-selector", sel("pod", "a"))
                .ingress(rule(peers(namespaces(sel("ns2", "updated"))))).build()));
        expect(compiler, """
                     x/a  x/b  x/c  y/a  y/b  y/c  z/a  z/b  z/c
                x/a   -    .    .    .    .    .    .    .    .
                x/b   X    -    .    .    .    .    .    .    .
                x/c   X    .    -    .    .    .    .    .    .
                y/a   X    .    .    -    .    .    .    .    .
                y/b   X    .    .    .    -    .    .    .    .
                y/c   X    .    .    .    .    -    .    .    .
                z/a   X    .    .    .    .    .    -    .    .
                z/b   X    .    .    .    .    .    .    -    .
                z/c   X    .    .    .    .    .    .    .    -
                """, Protocol.TCP, 80);
        compiler.putNamespace(NamespaceInfo.of("y", Map.of("ns", "y", "ns2", "updated")));
        expect(compiler, """
                     x/a  x/b  x/c  y/a  y/b  y/c  z/a  z/b  z/c
                x/a   -    .    .    .    .    .    .    .    .
                x/b   X    -    .    .    .    .    .    .    .
                x/c   X    .    -    .    .    .    .    .    .
                y/a   .    .    .    -    .    .    .    .    .
                y/b   .    .    .    .    -    .    .    .    .
                y/c   .    .    .    .    .    -    .    .    .
                z/a   X    .    .    .    .    .    -    .    .
                z/b   X    .    .    .    .    .    .    -    .
                z/c   X    .    .    .    .    .    .    .    -
                """, Protocol.TCP, 80);
        compiler.putNamespace(NamespaceInfo.of("y", Map.of("ns", "y")));
        expect(compiler, """
                     x/a  x/b  x/c  y/a  y/b  y/c  z/a  z/b  z/c
                x/a   -    .    .    .    .    .    .    .    .
                x/b   X    -    .    .    .    .    .    .    .
                x/c   X    .    -    .    .    .    .    .    .
                y/a   X    .    .    -    .    .    .    .    .
                y/b   X    .    .    .    -    .    .    .    .
                y/c   X    .    .    .    .    -    .    .    .
                z/a   X    .    .    .    .    .    -    .    .
                z/b   X    .    .    .    .    .    .    -    .
                z/c   X    .    .    .    .    .    .    .    -
                """, Protocol.TCP, 80);
    }

    @Test
    @DisplayName("upstream: should allow ingress access from updated pod")
    void updatedPod() {
        final PolicyCompiler compiler = model.compiler(List.of(policy("x", "x-a-allows-x-b", sel("pod", "a"))
                .ingress(rule(peers(pods(sel("pod", "b")), podsIn(sel("pod2", "updated"), ALL)))).build()));
        expect(compiler, """
                     x/a  x/b  x/c  y/a  y/b  y/c  z/a  z/b  z/c
                x/a   -    .    .    .    .    .    .    .    .
                x/b   .    -    .    .    .    .    .    .    .
                x/c   X    .    -    .    .    .    .    .    .
                y/a   X    .    .    -    .    .    .    .    .
                y/b   X    .    .    .    -    .    .    .    .
                y/c   X    .    .    .    .    -    .    .    .
                z/a   X    .    .    .    .    .    -    .    .
                z/b   X    .    .    .    .    .    .    -    .
                z/c   X    .    .    .    .    .    .    .    -
                """, Protocol.TCP, 80);
        final PodInfo yb = model.pods.get(4);
        compiler.putPod(yb.withLabels(Map.of("pod", "b", "pod2", "updated")));
        expect(compiler, """
                     x/a  x/b  x/c  y/a  y/b  y/c  z/a  z/b  z/c
                x/a   -    .    .    .    .    .    .    .    .
                x/b   .    -    .    .    .    .    .    .    .
                x/c   X    .    -    .    .    .    .    .    .
                y/a   X    .    .    -    .    .    .    .    .
                y/b   .    .    .    .    -    .    .    .    .
                y/c   X    .    .    .    .    -    .    .    .
                z/a   X    .    .    .    .    .    -    .    .
                z/b   X    .    .    .    .    .    .    -    .
                z/c   X    .    .    .    .    .    .    .    -
                """, Protocol.TCP, 80);
    }

    @Test
    @DisplayName("upstream: should deny ingress access to updated pod")
    void deniedToUpdatedPod() {
        final PolicyCompiler compiler = model.compiler(List.of(policy("x", "deny-ingress-via-label-selector", sel("target", "isolated")).build()));
        expect(compiler, """
                     x/a  x/b  x/c  y/a  y/b  y/c  z/a  z/b  z/c
                x/a   -    .    .    .    .    .    .    .    .
                x/b   .    -    .    .    .    .    .    .    .
                x/c   .    .    -    .    .    .    .    .    .
                y/a   .    .    .    -    .    .    .    .    .
                y/b   .    .    .    .    -    .    .    .    .
                y/c   .    .    .    .    .    -    .    .    .
                z/a   .    .    .    .    .    .    -    .    .
                z/b   .    .    .    .    .    .    .    -    .
                z/c   .    .    .    .    .    .    .    .    -
                """, Protocol.TCP, 80);
        compiler.putPod(model.pods.get(0).withLabels(Map.of("pod", "a", "target", "isolated")));
        expect(compiler, """
                     x/a  x/b  x/c  y/a  y/b  y/c  z/a  z/b  z/c
                x/a   -    .    .    .    .    .    .    .    .
                x/b   X    -    .    .    .    .    .    .    .
                x/c   X    .    -    .    .    .    .    .    .
                y/a   X    .    .    -    .    .    .    .    .
                y/b   X    .    .    .    -    .    .    .    .
                y/c   X    .    .    .    .    -    .    .    .
                z/a   X    .    .    .    .    .    -    .    .
                z/b   X    .    .    .    .    .    .    -    .
                z/c   X    .    .    .    .    .    .    .    -
                """, Protocol.TCP, 80);
    }

    @Test
    @DisplayName("upstream: should enforce updated policy, and should stop enforcing policies after they are deleted")
    void updatedAndDeletedPolicy() {
        final Policy first = policy("x", "allow-ingress", sel("pod", "a")).ingress(rule(peers(namespaces(ALL)), tcp(81))).build();
        final PolicyCompiler compiler = model.compiler(List.of(first));
        expect(compiler, """
                     x/a  x/b  x/c  y/a  y/b  y/c  z/a  z/b  z/c
                x/a   -    .    .    .    .    .    .    .    .
                x/b   X    -    .    .    .    .    .    .    .
                x/c   X    .    -    .    .    .    .    .    .
                y/a   X    .    .    -    .    .    .    .    .
                y/b   X    .    .    .    -    .    .    .    .
                y/c   X    .    .    .    .    -    .    .    .
                z/a   X    .    .    .    .    .    -    .    .
                z/b   X    .    .    .    .    .    .    -    .
                z/c   X    .    .    .    .    .    .    .    -
                """, Protocol.TCP, 80);
        compiler.putPolicy(policy("x", "allow-ingress", sel("pod", "a")).ingress(rule(peers(namespaces(ALL)), tcp(80))).build());
        expect(compiler, """
                     x/a  x/b  x/c  y/a  y/b  y/c  z/a  z/b  z/c
                x/a   -    .    .    .    .    .    .    .    .
                x/b   .    -    .    .    .    .    .    .    .
                x/c   .    .    -    .    .    .    .    .    .
                y/a   .    .    .    -    .    .    .    .    .
                y/b   .    .    .    .    -    .    .    .    .
                y/c   .    .    .    .    .    -    .    .    .
                z/a   .    .    .    .    .    .    -    .    .
                z/b   .    .    .    .    .    .    .    -    .
                z/c   .    .    .    .    .    .    .    .    -
                """, Protocol.TCP, 80);
        compiler.putPolicy(policy("x", "deny-all", ALL).build());
        expect(compiler, """
                     x/a  x/b  x/c  y/a  y/b  y/c  z/a  z/b  z/c
                x/a   -    X    X    .    .    .    .    .    .
                x/b   .    -    X    .    .    .    .    .    .
                x/c   .    X    -    .    .    .    .    .    .
                y/a   .    X    X    -    .    .    .    .    .
                y/b   .    X    X    .    -    .    .    .    .
                y/c   .    X    X    .    .    -    .    .    .
                z/a   .    X    X    .    .    .    -    .    .
                z/b   .    X    X    .    .    .    .    -    .
                z/c   .    X    X    .    .    .    .    .    -
                """, Protocol.TCP, 80);
        compiler.removePolicy("x/allow-ingress");
        expect(compiler, """
                     x/a  x/b  x/c  y/a  y/b  y/c  z/a  z/b  z/c
                x/a   -    X    X    .    .    .    .    .    .
                x/b   X    -    X    .    .    .    .    .    .
                x/c   X    X    -    .    .    .    .    .    .
                y/a   X    X    X    -    .    .    .    .    .
                y/b   X    X    X    .    -    .    .    .    .
                y/c   X    X    X    .    .    -    .    .    .
                z/a   X    X    X    .    .    .    -    .    .
                z/b   X    X    X    .    .    .    .    -    .
                z/c   X    X    X    .    .    .    .    .    -
                """, Protocol.TCP, 80);
        compiler.removePolicy("x/deny-all");
        expect(compiler, """
                     x/a  x/b  x/c  y/a  y/b  y/c  z/a  z/b  z/c
                x/a   -    .    .    .    .    .    .    .    .
                x/b   .    -    .    .    .    .    .    .    .
                x/c   .    .    -    .    .    .    .    .    .
                y/a   .    .    .    -    .    .    .    .    .
                y/b   .    .    .    .    -    .    .    .    .
                y/c   .    .    .    .    .    -    .    .    .
                z/a   .    .    .    .    .    .    -    .    .
                z/b   .    .    .    .    .    .    .    -    .
                z/c   .    .    .    .    .    .    .    .    -
                """, Protocol.TCP, 80);
    }

    @Test
    @DisplayName("a pod deleted and re-created with other labels is judged by its new labels")
    void recreatedPod() {
        final PolicyCompiler compiler = model.compiler(List.of(policy("x", "x-a-allows-x-b", sel("pod", "a"))
                .ingress(rule(peers(pods(sel("pod", "b"))))).build()));
        final PodInfo xc = model.pods.get(2);
        compiler.removePod(xc.key());
        compiler.snapshot();
        compiler.putPod(xc.withLabels(Map.of("pod", "b")));
        expect(compiler, """
                     x/a  x/b  x/c  y/a  y/b  y/c  z/a  z/b  z/c
                x/a   -    .    .    .    .    .    .    .    .
                x/b   .    -    .    .    .    .    .    .    .
                x/c   .    .    -    .    .    .    .    .    .
                y/a   X    .    .    -    .    .    .    .    .
                y/b   X    .    .    .    -    .    .    .    .
                y/c   X    .    .    .    .    -    .    .    .
                z/a   X    .    .    .    .    .    -    .    .
                z/b   X    .    .    .    .    .    .    -    .
                z/c   X    .    .    .    .    .    .    .    -
                """, Protocol.TCP, 80);
    }
}
