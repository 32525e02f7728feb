package io.isthmus.policy;

import io.isthmus.policy.model.Direction;
import io.isthmus.policy.model.Policy;
import io.isthmus.policy.model.Protocol;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.isthmus.policy.Dsl.ALL;
import static io.isthmus.policy.Dsl.allOf;
import static io.isthmus.policy.Dsl.anyone;
import static io.isthmus.policy.Dsl.expr;
import static io.isthmus.policy.Dsl.named;
import static io.isthmus.policy.Dsl.namespaces;
import static io.isthmus.policy.Dsl.nsName;
import static io.isthmus.policy.Dsl.peers;
import static io.isthmus.policy.Dsl.pods;
import static io.isthmus.policy.Dsl.podsIn;
import static io.isthmus.policy.Dsl.policy;
import static io.isthmus.policy.Dsl.range;
import static io.isthmus.policy.Dsl.rule;
import static io.isthmus.policy.Dsl.sctp;
import static io.isthmus.policy.Dsl.sel;
import static io.isthmus.policy.Dsl.tcp;
import static io.isthmus.policy.Dsl.udp;
import static io.isthmus.policy.model.SelectorOperator.DOES_NOT_EXIST;
import static io.isthmus.policy.model.SelectorOperator.EXISTS;
import static io.isthmus.policy.model.SelectorOperator.IN;
import static io.isthmus.policy.model.SelectorOperator.NOT_IN;

/**
 * The upstream e2e netpol cases (test/e2e/network/netpol/network_policy.go), and more, as truth
 * tables over the x/y/z × a/b/c model ({@link NetpolModel}). Every table is checked against the
 * compiled tables (looked up by pod address, as the fast path will) and against the explainer.
 * Display names quote the upstream test where one exists.
 */
class ModelCasesTest {
    private final NetpolModel model = new NetpolModel();

    private void check(String expected, Protocol protocol, int port, Policy... policies) {
        model.check(expected, protocol, port, List.of(policies));
    }

    private static final Policy DENY_INGRESS_X = policy("x", "deny-ingress", ALL).build();

    @Test
    @DisplayName("no policy: every pod is non-isolated, everything is allowed")
    void noPolicy() {
        check("""
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
    @DisplayName("upstream: should support a 'default-deny-ingress' policy")
    void defaultDenyIngress() {
        check("""
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
                """, Protocol.TCP, 80, DENY_INGRESS_X);
    }

    @Test
    @DisplayName("upstream: should support a 'default-deny-all' policy")
    void defaultDenyAll() {
        check("""
                     x/a  x/b  x/c  y/a  y/b  y/c  z/a  z/b  z/c
                x/a   -    X    X    X    X    X    X    X    X
                x/b   X    -    X    X    X    X    X    X    X
                x/c   X    X    -    X    X    X    X    X    X
                y/a   X    X    X    -    .    .    .    .    .
                y/b   X    X    X    .    -    .    .    .    .
                y/c   X    X    X    .    .    -    .    .    .
                z/a   X    X    X    .    .    .    -    .    .
                z/b   X    X    X    .    .    .    .    -    .
                z/c   X    X    X    .    .    .    .    .    -
                """, Protocol.TCP, 80, policy("x", "deny-all", ALL).types(Direction.INGRESS, Direction.EGRESS).build());
    }

    @Test
    @DisplayName("upstream: should enforce policy to allow traffic from pods within server namespace based on PodSelector")
    void podSelectorAloneMeansPolicyNamespace() {
        check("""
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
                """, Protocol.TCP, 80, policy("x", "x-a-allows-x-b", sel("pod", "a")).ingress(rule(peers(pods(sel("pod", "b"))))).build());
    }

    @Test
    @DisplayName("upstream: should enforce policy to allow ingress traffic for a target (policies are a union)")
    void allowTargetOverDenyAll() {
        check("""
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
                """, Protocol.TCP, 80, DENY_INGRESS_X,
                policy("x", "allow-all-to-a", sel("pod", "a")).ingress(rule(peers(podsIn(ALL, ALL)))).build());
    }

    @Test
    @DisplayName("upstream: should enforce policy to allow ingress traffic from pods in all namespaces (namespaceSelector {})")
    void emptyNamespaceSelectorMeansAllNamespaces() {
        check("""
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
                """, Protocol.TCP, 80, policy("x", "allow-from-another-ns", sel("pod", "a")).ingress(rule(peers(namespaces(ALL)))).build());
    }

    @Test
    @DisplayName("upstream: should enforce policy to allow traffic only from a different namespace, based on NamespaceSelector")
    void namespaceSelectorByCustomLabel() {
        check("""
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
                """, Protocol.TCP, 80, policy("x", "allow-client-a-via-ns-selector", sel("pod", "a")).ingress(rule(peers(namespaces(sel("ns", "y"))))).build());
    }

    @Test
    @DisplayName("upstream: should enforce policy to allow traffic based on NamespaceSelector with MatchLabels using default ns label")
    void namespaceSelectorByDefaultNameLabel() {
        check("""
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
                """, Protocol.TCP, 80, policy("x", "allow-from-y", sel("pod", "a")).ingress(rule(peers(namespaces(nsName("y"))))).build());
    }

    @Test
    @DisplayName("upstream: should enforce policy based on PodSelector with MatchExpressions (In)")
    void podSelectorMatchExpressionIn() {
        check("""
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
                """, Protocol.TCP, 80, policy("x", "x-a-allows-x-b", sel("pod", "a")).ingress(rule(peers(pods(expr("pod", IN, "b"))))).build());
    }

    @Test
    @DisplayName("upstream: should enforce policy based on NamespaceSelector with MatchExpressions (In)")
    void namespaceSelectorMatchExpressionIn() {
        check("""
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
                """, Protocol.TCP, 80, policy("x", "allow-ns-y-match-selector", sel("pod", "a"))
                .ingress(rule(peers(namespaces(expr("kubernetes.io/metadata.name", IN, "y"))))).build());
    }

    @Test
    @DisplayName("upstream: should enforce policy based on PodSelector or NamespaceSelector (separate peers are ORed)")
    void separatePeersAreOred() {
        check("""
                     x/a  x/b  x/c  y/a  y/b  y/c  z/a  z/b  z/c
                x/a   -    .    .    .    .    .    .    .    .
                x/b   .    -    .    .    .    .    .    .    .
                x/c   X    .    -    .    .    .    .    .    .
                y/a   .    .    .    -    .    .    .    .    .
                y/b   .    .    .    .    -    .    .    .    .
                y/c   .    .    .    .    .    -    .    .    .
                z/a   .    .    .    .    .    .    -    .    .
                z/b   .    .    .    .    .    .    .    -    .
                z/c   .    .    .    .    .    .    .    .    -
                """, Protocol.TCP, 80, policy("x", "allow-ns-y-match-selector", sel("pod", "a"))
                .ingress(rule(peers(namespaces(expr("ns", NOT_IN, "x")), pods(sel("pod", "b"))))).build());
    }

    @Test
    @DisplayName("upstream: should enforce policy based on PodSelector and NamespaceSelector (one peer: ANDed)")
    void selectorsInOnePeerAreAnded() {
        check("""
                     x/a  x/b  x/c  y/a  y/b  y/c  z/a  z/b  z/c
                x/a   -    .    .    .    .    .    .    .    .
                x/b   X    -    .    .    .    .    .    .    .
                x/c   X    .    -    .    .    .    .    .    .
                y/a   X    .    .    -    .    .    .    .    .
                y/b   .    .    .    .    -    .    .    .    .
                y/c   X    .    .    .    .    -    .    .    .
                z/a   X    .    .    .    .    .    -    .    .
                z/b   .    .    .    .    .    .    .    -    .
                z/c   X    .    .    .    .    .    .    .    -
                """, Protocol.TCP, 80, policy("x", "allow-ns-y-podselector-and-nsselector", sel("pod", "a"))
                .ingress(rule(peers(podsIn(sel("pod", "b"), expr("ns", NOT_IN, "x"))))).build());
    }

    @Test
    @DisplayName("upstream: should enforce policy based on Multiple PodSelectors and NamespaceSelectors")
    void multipleValuesInExpressions() {
        check("""
                     x/a  x/b  x/c  y/a  y/b  y/c  z/a  z/b  z/c
                x/a   -    .    .    .    .    .    .    .    .
                x/b   X    -    .    .    .    .    .    .    .
                x/c   X    .    -    .    .    .    .    .    .
                y/a   X    .    .    -    .    .    .    .    .
                y/b   .    .    .    .    -    .    .    .    .
                y/c   .    .    .    .    .    -    .    .    .
                z/a   X    .    .    .    .    .    -    .    .
                z/b   .    .    .    .    .    .    .    -    .
                z/c   .    .    .    .    .    .    .    .    -
                """, Protocol.TCP, 80, policy("x", "allow-ns-y-z-pod-b-c", sel("pod", "a"))
                .ingress(rule(peers(podsIn(expr("pod", IN, "b", "c"), expr("kubernetes.io/metadata.name", NOT_IN, "x"))))).build());
    }

    @Test
    @DisplayName("upstream: should enforce policy based on any PodSelectors")
    void anyOfSeveralPodSelectors() {
        check("""
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
                """, Protocol.TCP, 80, policy("x", "x-a-allows-x-b-or-x-c", sel("pod", "a"))
                .ingress(rule(peers(pods(sel("pod", "b")), pods(sel("pod", "c"))))).build());
    }

    @Test
    @DisplayName("upstream: should enforce policy to allow traffic only from a pod in a different namespace based on PodSelector and NamespaceSelector")
    void onePodOfAnotherNamespace() {
        check("""
                     x/a  x/b  x/c  y/a  y/b  y/c  z/a  z/b  z/c
                x/a   -    .    .    .    .    .    .    .    .
                x/b   X    -    .    .    .    .    .    .    .
                x/c   X    .    -    .    .    .    .    .    .
                y/a   .    .    .    -    .    .    .    .    .
                y/b   X    .    .    .    -    .    .    .    .
                y/c   X    .    .    .    .    -    .    .    .
                z/a   X    .    .    .    .    .    -    .    .
                z/b   X    .    .    .    .    .    .    -    .
                z/c   X    .    .    .    .    .    .    .    -
                """, Protocol.TCP, 80, policy("x", "allow-ns-y-pod-a", sel("pod", "a"))
                .ingress(rule(peers(podsIn(sel("pod", "a"), sel("ns", "y"))))).build());
    }

    @Test
    @DisplayName("upstream: should enforce policy based on Ports (port 81 allowed, port 80 not)")
    void portsRestrictARule() {
        final Policy policy = policy("x", "allow-ingress-on-port-81", sel("pod", "a")).ingress(rule(peers(namespaces(sel("ns", "y"))), tcp(81))).build();
        check("""
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
                """, Protocol.TCP, 80, policy);
        check("""
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
                """, Protocol.TCP, 81, policy);
    }

    @Test
    @DisplayName("upstream: should enforce multiple, stacked policies with overlapping podSelectors")
    void stackedPoliciesAddUp() {
        final Policy port81 = policy("x", "allow-ingress-on-port-81", sel("pod", "a")).ingress(rule(peers(namespaces(sel("ns", "y"))), tcp(81))).build();
        final Policy port80 = policy("x", "allow-ingress-on-port-80", sel("pod", "a")).ingress(rule(peers(namespaces(sel("ns", "y"))), tcp(80))).build();
        check("""
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
                """, Protocol.TCP, 80, port81, port80);
        check("""
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
                """, Protocol.TCP, 81, port81, port80);
    }

    @Test
    @DisplayName("upstream: should support allow-all policy (ingress: [{}])")
    void allowAllIngressRule() {
        check("""
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
                """, Protocol.UDP, 81, policy("x", "allow-all", ALL).ingress(anyone()).build());
    }

    @Test
    @DisplayName("upstream: should allow ingress access on one named port")
    void ingressNamedPort() {
        final Policy policy = policy("x", "allow-all-on-named-81", ALL).ingress(anyone(named(Protocol.TCP, "serve-81-tcp"))).build();
        check("""
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
                """, Protocol.TCP, 81, policy);
        check("""
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
                """, Protocol.TCP, 80, policy);
    }

    @Test
    @DisplayName("upstream: should allow ingress access from namespace on one named port")
    void ingressNamedPortFromNamespace() {
        final Policy policy = policy("x", "allow-80-from-y", sel("pod", "a"))
                .ingress(rule(peers(namespaces(sel("ns", "y"))), named(Protocol.TCP, "serve-80-tcp"))).build();
        check("""
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
                """, Protocol.TCP, 80, policy);
        check("""
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
                """, Protocol.TCP, 81, policy);
    }

    @Test
    @DisplayName("upstream: should allow egress access on one named port (resolved against the remote pod)")
    void egressNamedPort() {
        final Policy policy = policy("x", "allow-egress-udp-80", sel("pod", "a")).types(Direction.EGRESS).egress(anyone(named(Protocol.UDP, "serve-80-udp"))).build();
        check("""
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
                """, Protocol.UDP, 80, policy);
        check("""
                     x/a  x/b  x/c  y/a  y/b  y/c  z/a  z/b  z/c
                x/a   -    X    X    X    X    X    X    X    X
                x/b   .    -    .    .    .    .    .    .    .
                x/c   .    .    -    .    .    .    .    .    .
                y/a   .    .    .    -    .    .    .    .    .
                y/b   .    .    .    .    -    .    .    .    .
                y/c   .    .    .    .    .    -    .    .    .
                z/a   .    .    .    .    .    .    -    .    .
                z/b   .    .    .    .    .    .    .    -    .
                z/c   .    .    .    .    .    .    .    .    -
                """, Protocol.UDP, 81, policy);
        check("""
                     x/a  x/b  x/c  y/a  y/b  y/c  z/a  z/b  z/c
                x/a   -    X    X    X    X    X    X    X    X
                x/b   .    -    .    .    .    .    .    .    .
                x/c   .    .    -    .    .    .    .    .    .
                y/a   .    .    .    -    .    .    .    .    .
                y/b   .    .    .    .    -    .    .    .    .
                y/c   .    .    .    .    .    -    .    .    .
                z/a   .    .    .    .    .    .    -    .    .
                z/b   .    .    .    .    .    .    .    -    .
                z/c   .    .    .    .    .    .    .    .    -
                """, Protocol.TCP, 80, policy);
    }

    @Test
    @DisplayName("API: a named port with the wrong protocol matches nothing")
    void namedPortProtocolMustMatch() {
        check("""
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
                """, Protocol.TCP, 80, policy("x", "named-udp-port-as-tcp", sel("pod", "a")).ingress(anyone(named(Protocol.TCP, "serve-80-udp"))).build());
    }

    @Test
    @DisplayName("upstream: should deny ingress from pods on other namespaces")
    void denyFromOtherNamespaces() {
        check("""
                     x/a  x/b  x/c  y/a  y/b  y/c  z/a  z/b  z/c
                x/a   -    .    .    .    .    .    .    .    .
                x/b   .    -    .    .    .    .    .    .    .
                x/c   .    .    -    .    .    .    .    .    .
                y/a   X    X    X    -    .    .    .    .    .
                y/b   X    X    X    .    -    .    .    .    .
                y/c   X    X    X    .    .    -    .    .    .
                z/a   X    X    X    .    .    .    -    .    .
                z/b   X    X    X    .    .    .    .    -    .
                z/c   X    X    X    .    .    .    .    .    -
                """, Protocol.TCP, 80, policy("x", "deny-from-other-ns", ALL).ingress(rule(peers(pods(ALL)))).build());
    }

    @Test
    @DisplayName("upstream: should deny egress from pods based on PodSelector")
    void denyEgressOfOnePod() {
        check("""
                     x/a  x/b  x/c  y/a  y/b  y/c  z/a  z/b  z/c
                x/a   -    X    X    X    X    X    X    X    X
                x/b   .    -    .    .    .    .    .    .    .
                x/c   .    .    -    .    .    .    .    .    .
                y/a   .    .    .    -    .    .    .    .    .
                y/b   .    .    .    .    -    .    .    .    .
                y/c   .    .    .    .    .    -    .    .    .
                z/a   .    .    .    .    .    .    -    .    .
                z/b   .    .    .    .    .    .    .    -    .
                z/c   .    .    .    .    .    .    .    .    -
                """, Protocol.TCP, 80, policy("x", "deny-egress-pod-a", sel("pod", "a")).types(Direction.EGRESS).build());
    }

    @Test
    @DisplayName("upstream: should deny egress from all pods in a namespace")
    void denyEgressOfNamespace() {
        check("""
                     x/a  x/b  x/c  y/a  y/b  y/c  z/a  z/b  z/c
                x/a   -    X    X    X    X    X    X    X    X
                x/b   X    -    X    X    X    X    X    X    X
                x/c   X    X    -    X    X    X    X    X    X
                y/a   .    .    .    -    .    .    .    .    .
                y/b   .    .    .    .    -    .    .    .    .
                y/c   .    .    .    .    .    -    .    .    .
                z/a   .    .    .    .    .    .    -    .    .
                z/b   .    .    .    .    .    .    .    -    .
                z/c   .    .    .    .    .    .    .    .    -
                """, Protocol.SCTP, 81, policy("x", "deny-egress-ns-x", ALL).types(Direction.EGRESS).build());
    }

    @Test
    @DisplayName("upstream: should work with Ingress, Egress specified together")
    void ingressAndEgressTogether() {
        check("""
                     x/a  x/b  x/c  y/a  y/b  y/c  z/a  z/b  z/c
                x/a   -    X    X    .    .    .    X    X    X
                x/b   .    -    .    .    .    .    .    .    .
                x/c   X    .    -    .    .    .    .    .    .
                y/a   X    .    .    -    .    .    .    .    .
                y/b   X    .    .    .    -    .    .    .    .
                y/c   X    .    .    .    .    -    .    .    .
                z/a   X    .    .    .    .    .    -    .    .
                z/b   X    .    .    .    .    .    .    -    .
                z/c   X    .    .    .    .    .    .    .    -
                """, Protocol.TCP, 80, policy("x", "ingress-and-egress", sel("pod", "a"))
                .ingress(rule(peers(pods(sel("pod", "b")))))
                .egress(rule(peers(namespaces(sel("ns", "y"))))).build());
    }

    @Test
    @DisplayName("upstream: should support denying of egress traffic on the client side (even if the server explicitly allows this traffic)")
    void clientEgressDenyWinsOverServerAllow() {
        check("""
                     x/a  x/b  x/c  y/a  y/b  y/c  z/a  z/b  z/c
                x/a   -    X    X    X    X    X    .    .    .
                x/b   .    -    .    X    X    X    .    .    .
                x/c   .    .    -    X    X    X    .    .    .
                y/a   .    .    .    -    X    X    .    .    .
                y/b   .    .    .    X    -    X    .    .    .
                y/c   .    .    .    X    X    -    .    .    .
                z/a   .    .    .    X    X    X    -    .    .
                z/b   .    .    .    X    X    X    .    -    .
                z/c   .    .    .    X    X    X    .    .    -
                """, Protocol.TCP, 80,
                policy("x", "allow-egress-to-z", sel("pod", "a")).types(Direction.EGRESS).egress(rule(peers(namespaces(sel("ns", "z"))))).build(),
                policy("y", "allow-from-x-a", ALL).ingress(rule(peers(podsIn(sel("pod", "a"), sel("ns", "x"))))).build());
    }

    @Test
    @DisplayName("upstream: should enforce egress policy allowing traffic to a server in a different namespace based on PodSelector and NamespaceSelector")
    void egressToPodInOtherNamespace() {
        check("""
                     x/a  x/b  x/c  y/a  y/b  y/c  z/a  z/b  z/c
                x/a   -    X    X    .    X    X    X    X    X
                x/b   .    -    .    .    .    .    .    .    .
                x/c   .    .    -    .    .    .    .    .    .
                y/a   .    .    .    -    .    .    .    .    .
                y/b   .    .    .    .    -    .    .    .    .
                y/c   .    .    .    .    .    -    .    .    .
                z/a   .    .    .    .    .    .    -    .    .
                z/b   .    .    .    .    .    .    .    -    .
                z/c   .    .    .    .    .    .    .    .    -
                """, Protocol.TCP, 80, policy("x", "allow-to-y-a", sel("pod", "a")).types(Direction.EGRESS)
                .egress(rule(peers(podsIn(sel("pod", "a"), sel("ns", "y"))))).build());
    }

    @Test
    @DisplayName("API: an egress podSelector alone means the policy's own namespace")
    void egressPodSelectorAloneMeansOwnNamespace() {
        check("""
                     x/a  x/b  x/c  y/a  y/b  y/c  z/a  z/b  z/c
                x/a   -    .    .    X    X    X    X    X    X
                x/b   .    -    .    .    .    .    .    .    .
                x/c   .    .    -    .    .    .    .    .    .
                y/a   .    .    .    -    .    .    .    .    .
                y/b   .    .    .    .    -    .    .    .    .
                y/c   .    .    .    .    .    -    .    .    .
                z/a   .    .    .    .    .    .    -    .    .
                z/b   .    .    .    .    .    .    .    -    .
                z/c   .    .    .    .    .    .    .    .    -
                """, Protocol.TCP, 80, policy("x", "egress-own-ns", sel("pod", "a")).types(Direction.EGRESS).egress(rule(peers(pods(ALL)))).build());
    }

    @Test
    @DisplayName("upstream: should enforce ingress policy allowing any port traffic to a server on a specific protocol")
    void protocolWithoutPortMeansEveryPortOfIt() {
        final Policy policy = policy("x", "allow-udp-from-y", sel("pod", "a")).ingress(rule(peers(namespaces(sel("ns", "y"))), allOf(Protocol.UDP))).build();
        check("""
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
                """, Protocol.TCP, 80, policy);
        check("""
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
                """, Protocol.UDP, 81, policy);
    }

    @Test
    @DisplayName("upstream: should enforce multiple ingress policies with ingress allow-all policy taking precedence")
    void ingressAllowAllTakesPrecedence() {
        check("""
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
                """, Protocol.TCP, 81,
                policy("x", "allow-80-only", sel("pod", "a")).ingress(rule(peers(pods(sel("pod", "b"))), tcp(80))).build(),
                policy("x", "allow-all", sel("pod", "a")).ingress(anyone()).build());
    }

    @Test
    @DisplayName("upstream: should enforce multiple egress policies with egress allow-all policy taking precedence")
    void egressAllowAllTakesPrecedence() {
        check("""
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
                """, Protocol.TCP, 81,
                policy("x", "allow-egress-80-to-y", sel("pod", "a")).types(Direction.EGRESS).egress(rule(peers(namespaces(sel("ns", "y"))), tcp(80))).build(),
                policy("x", "allow-all-egress", sel("pod", "a")).types(Direction.EGRESS).egress(anyone()).build());
    }

    @Test
    @DisplayName("upstream: should enforce policies to check ingress and egress policies can be controlled independently based on PodSelector")
    void directionsAreIndependent() {
        check("""
                     x/a  x/b  x/c  y/a  y/b  y/c  z/a  z/b  z/c
                x/a   -    X    X    X    X    X    X    X    X
                x/b   .    -    .    .    .    .    .    .    .
                x/c   .    X    -    .    .    .    .    .    .
                y/a   .    X    .    -    .    .    .    .    .
                y/b   .    X    .    .    -    .    .    .    .
                y/c   .    X    .    .    .    -    .    .    .
                z/a   .    X    .    .    .    .    -    .    .
                z/b   .    X    .    .    .    .    .    -    .
                z/c   .    X    .    .    .    .    .    .    -
                """, Protocol.TCP, 80,
                policy("x", "deny-egress-a", sel("pod", "a")).types(Direction.EGRESS).build(),
                policy("x", "allow-b-from-a", sel("pod", "b")).ingress(rule(peers(pods(sel("pod", "a"))))).build());
    }

    @Test
    @DisplayName("upstream: should not mistakenly treat 'protocol: SCTP' as 'protocol: TCP'")
    void sctpIsNotTcp() {
        final Policy policy = policy("x", "allow-sctp-80", sel("pod", "a")).ingress(anyone(sctp(80))).build();
        check("""
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
                """, Protocol.TCP, 80, policy);
        check("""
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
                """, Protocol.SCTP, 80, policy);
    }

    @Test
    @DisplayName("upstream: should not allow access by TCP when a policy specifies only UDP")
    void udpIsNotTcp() {
        final Policy policy = policy("x", "allow-udp-81", sel("pod", "a")).ingress(anyone(udp(81))).build();
        check("""
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
                """, Protocol.TCP, 81, policy);
        check("""
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
                """, Protocol.UDP, 81, policy);
    }

    @Test
    @DisplayName("upstream: should enforce policy based on Ports range [Feature:NetworkPolicyEndPort]")
    void endPortRange() {
        final Policy policy = policy("x", "allow-81-to-90-from-y", sel("pod", "a")).ingress(rule(peers(namespaces(sel("ns", "y"))), range(Protocol.TCP, 81, 90))).build();
        check("""
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
                """, Protocol.TCP, 80, policy);
        check("""
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
                """, Protocol.TCP, 81, policy);
    }

    @Test
    @DisplayName("upstream: should enforce policy based on Multiple Ports range")
    void severalEndPortRanges() {
        final Policy policy = policy("x", "ranges", sel("pod", "a")).ingress(rule(peers(namespaces(sel("ns", "y"))),
                range(Protocol.TCP, 70, 79), range(Protocol.TCP, 80, 80), range(Protocol.UDP, 81, 82))).build();
        check("""
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
                """, Protocol.TCP, 80, policy);
        check("""
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
                """, Protocol.TCP, 81, policy);
        check("""
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
                """, Protocol.UDP, 81, policy);
    }

    @Test
    @DisplayName("API: NotIn matches pods without the value (and pods without the key)")
    void notInExpression() {
        check("""
                     x/a  x/b  x/c  y/a  y/b  y/c  z/a  z/b  z/c
                x/a   -    .    .    .    .    .    .    .    .
                x/b   X    -    .    .    .    .    .    .    .
                x/c   .    .    -    .    .    .    .    .    .
                y/a   X    .    .    -    .    .    .    .    .
                y/b   X    .    .    .    -    .    .    .    .
                y/c   X    .    .    .    .    -    .    .    .
                z/a   X    .    .    .    .    .    -    .    .
                z/b   X    .    .    .    .    .    .    -    .
                z/c   X    .    .    .    .    .    .    .    -
                """, Protocol.TCP, 80, policy("x", "not-b", sel("pod", "a")).ingress(rule(peers(pods(expr("pod", NOT_IN, "b"))))).build());
    }

    @Test
    @DisplayName("API: Exists matches every pod that has the key, in every namespace that has the key")
    void existsExpression() {
        check("""
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
                """, Protocol.TCP, 80, policy("x", "exists", sel("pod", "a")).ingress(rule(peers(podsIn(expr("pod", EXISTS), expr("ns", EXISTS))))).build());
    }

    @Test
    @DisplayName("API: DoesNotExist on a key every namespace has matches nothing")
    void doesNotExistExpression() {
        check("""
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
                """, Protocol.TCP, 80, policy("x", "no-ns", sel("pod", "a")).ingress(rule(peers(namespaces(expr("ns", DOES_NOT_EXIST))))).build());
    }

    @Test
    @DisplayName("API: a policy selects pods of its own namespace only; egress deny of a whole namespace y")
    void policyOnlySelectsInItsNamespace() {
        check("""
                     x/a  x/b  x/c  y/a  y/b  y/c  z/a  z/b  z/c
                x/a   -    .    .    .    .    .    .    .    .
                x/b   .    -    .    .    .    .    .    .    .
                x/c   .    .    -    .    .    .    .    .    .
                y/a   X    X    X    -    X    X    X    X    X
                y/b   X    X    X    X    -    X    X    X    X
                y/c   X    X    X    X    X    -    X    X    X
                z/a   .    .    .    .    .    .    -    .    .
                z/b   .    .    .    .    .    .    .    -    .
                z/c   .    .    .    .    .    .    .    .    -
                """, Protocol.UDP, 80, policy("y", "deny-egress", ALL).egress().types(Direction.EGRESS).build());
    }

    @Test
    @DisplayName("API: an ipBlock peer does not match pods (ipBlock is for cluster-external addresses)")
    void ipBlockDoesNotMatchPods() {
        check("""
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
                """, Protocol.TCP, 80, policy("x", "block-10", sel("pod", "a")).ingress(rule(peers(Dsl.block("10.0.0.0/8")))).build());
    }

    @Test
    @DisplayName("API: policyTypes [Ingress] only: egress rules in the spec are ignored")
    void egressRulesIgnoredWithoutEgressType() {
        check("""
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
                """, Protocol.TCP, 80, policy("x", "ingress-only", sel("pod", "a")).types(Direction.INGRESS)
                .egress(rule(peers(pods(sel("pod", "zzz"))))).build());
    }

    @Test
    @DisplayName("API: a pod selected by a policy for egress is isolated for egress only when Egress is in policyTypes")
    void egressTypeDefaultsFromRules() {
        check("""
                     x/a  x/b  x/c  y/a  y/b  y/c  z/a  z/b  z/c
                x/a   -    X    X    .    X    X    X    X    X
                x/b   X    -    .    .    .    .    .    .    .
                x/c   X    .    -    .    .    .    .    .    .
                y/a   X    .    .    -    .    .    .    .    .
                y/b   X    .    .    .    -    .    .    .    .
                y/c   X    .    .    .    .    -    .    .    .
                z/a   X    .    .    .    .    .    -    .    .
                z/b   X    .    .    .    .    .    .    -    .
                z/c   X    .    .    .    .    .    .    .    -
                """, Protocol.TCP, 80, policy("x", "egress-from-rules", sel("pod", "a"))
                .egress(rule(peers(podsIn(sel("pod", "a"), sel("ns", "y"))))).build()); // no policyTypes: Ingress (no rules) + Egress
    }
}
