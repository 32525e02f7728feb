package io.isthmus.policy;

import io.isthmus.policy.compile.PolicyCompiler;
import io.isthmus.policy.compile.PolicySnapshot;
import io.isthmus.policy.explain.Endpoint;
import io.isthmus.policy.explain.Explanation;
import io.isthmus.policy.explain.PolicyExplainer;
import io.isthmus.policy.explain.PolicyModel;
import io.isthmus.policy.model.ContainerPort;
import io.isthmus.policy.model.Direction;
import io.isthmus.policy.model.IpAddress;
import io.isthmus.policy.model.NamespaceInfo;
import io.isthmus.policy.model.PodInfo;
import io.isthmus.policy.model.Policy;
import io.isthmus.policy.model.Protocol;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.isthmus.policy.Dsl.ALL;
import static io.isthmus.policy.Dsl.anyone;
import static io.isthmus.policy.Dsl.block;
import static io.isthmus.policy.Dsl.named;
import static io.isthmus.policy.Dsl.namespaces;
import static io.isthmus.policy.Dsl.peers;
import static io.isthmus.policy.Dsl.policy;
import static io.isthmus.policy.Dsl.rule;
import static io.isthmus.policy.Dsl.sel;
import static io.isthmus.policy.Dsl.tcp;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One test per rule of NetworkPolicy that the truth tables do not show (addresses, the node,
 * named ports per remote pod, other protocols, IPv6). Each builds a small world, asks the
 * compiled snapshot by address, and asks the explainer the same question.
 */
class SemanticRulesTest {
    private static final IpAddress NODE = IpAddress.parse("192.168.0.10");

    private static PodInfo pod(String ns, String name, String ip, Map<String, String> labels, ContainerPort... ports) {
        return new PodInfo(ns, name, labels, List.of(IpAddress.parse(ip)), List.of(ports), true);
    }

    private static final PodInfo WEB = pod("shop", "web", "10.1.0.1", Map.of("app", "web"), new ContainerPort("http", Protocol.TCP, 8080));
    private static final PodInfo WEB6 = new PodInfo("shop", "web6", Map.of("app", "web"), List.of(IpAddress.parse("fd00::1")),
            List.of(new ContainerPort("http", Protocol.TCP, 8080)), true);
    private static final PodInfo API = pod("shop", "api", "10.1.0.2", Map.of("app", "api"), new ContainerPort("http", Protocol.TCP, 9090));
    private static final PodInfo DB = pod("data", "db", "10.1.0.3", Map.of("app", "db"), new ContainerPort("sql", Protocol.TCP, 5432));

    /** Compiles, then checks a verdict by addresses against {@code expected} and the explainer. */
    private static void expect(boolean expected, List<Policy> policies, String from, String to, Protocol protocol, int port) {
        final List<PodInfo> pods = List.of(WEB, WEB6, API, DB);
        final PolicyCompiler compiler = new PolicyCompiler();
        compiler.putNamespace(NamespaceInfo.of("shop", Map.of("team", "shop")));
        compiler.putNamespace(NamespaceInfo.of("data", Map.of("team", "data")));
        pods.forEach(compiler::putPod);
        policies.forEach(compiler::putPolicy);
        compiler.setNodeAddresses(List.of(NODE));
        final PolicySnapshot snapshot = compiler.snapshot();
        final IpAddress src = IpAddress.parse(from);
        final IpAddress dst = IpAddress.parse(to);
        final boolean compiled = snapshot.allows(ref(snapshot, src), ref(snapshot, dst), protocol.index(), port);
        assertEquals(expected, compiled, "compiled " + from + " -> " + to + " " + port + "/" + protocol);
        final PolicyModel model = new PolicyModel(Map.of("shop", NamespaceInfo.of("shop", Map.of("team", "shop")),
                "data", NamespaceInfo.of("data", Map.of("team", "data"))), pods, policies, Set.of(NODE));
        final Explanation explanation = new PolicyExplainer(model).explain(model.endpointOf(src), model.endpointOf(dst), protocol, port);
        assertEquals(expected, explanation.allowed(), "explainer " + explanation.lines());
    }

    private static int ref(PolicySnapshot snapshot, IpAddress address) {
        return address.ipv6() ? snapshot.refOfIpv6(address.high(), address.low()) : snapshot.refOfIpv4(address.ipv4Bits());
    }

    private static final Policy DENY_ALL_SHOP = policy("shop", "deny-all", ALL).types(Direction.INGRESS, Direction.EGRESS).build();

    @Test
    @DisplayName("concepts: 'the only allowed connections into the pod are those from the pod's node and those allowed by the ingress list'")
    void nodeAlwaysReachesItsPods() {
        expect(true, List.of(DENY_ALL_SHOP), "192.168.0.10", "10.1.0.1", Protocol.TCP, 8080);
        expect(false, List.of(DENY_ALL_SHOP), "192.168.0.11", "10.1.0.1", Protocol.TCP, 8080);
        // ... but the pod's egress to its node is still subject to egress policy.
        expect(false, List.of(DENY_ALL_SHOP), "10.1.0.1", "192.168.0.10", Protocol.TCP, 10250);
    }

    @Test
    @DisplayName("API IPBlock: addresses in cidr are allowed, except those in except")
    void ipBlockWithExcept() {
        final Policy egress = policy("shop", "egress-to-internet", sel("app", "web")).types(Direction.EGRESS)
                .egress(rule(peers(block("0.0.0.0/0", "10.0.0.0/8", "192.168.0.0/16")), tcp(443))).build();
        expect(true, List.of(egress), "10.1.0.1", "8.8.8.8", Protocol.TCP, 443);
        expect(false, List.of(egress), "10.1.0.1", "8.8.8.8", Protocol.TCP, 80);
        expect(false, List.of(egress), "10.1.0.1", "10.200.0.1", Protocol.TCP, 443);
        expect(false, List.of(egress), "10.1.0.1", "192.168.3.4", Protocol.TCP, 443);
    }

    @Test
    @DisplayName("upstream: should ensure an IP overlapping both IPBlock.CIDR and IPBlock.Except is allowed (another peer allows it)")
    void overlapOfExceptAndAnotherBlockIsAllowed() {
        final Policy egress = policy("shop", "overlap", sel("app", "web")).types(Direction.EGRESS)
                .egress(rule(peers(block("172.16.0.0/12", "172.16.1.0/24"))), rule(peers(block("172.16.1.7/32")))).build();
        expect(true, List.of(egress), "10.1.0.1", "172.16.1.7", Protocol.TCP, 80);
        expect(false, List.of(egress), "10.1.0.1", "172.16.1.8", Protocol.TCP, 80);
        expect(true, List.of(egress), "10.1.0.1", "172.20.0.1", Protocol.UDP, 53);
    }

    @Test
    @DisplayName("API IPBlock: ingress from external addresses by cidr")
    void ipBlockIngress() {
        final Policy ingress = policy("shop", "from-office", sel("app", "web")).ingress(rule(peers(block("203.0.113.0/24")))).build();
        expect(true, List.of(ingress), "203.0.113.9", "10.1.0.1", Protocol.TCP, 8080);
        expect(false, List.of(ingress), "198.51.100.1", "10.1.0.1", Protocol.TCP, 8080);
    }

    @Test
    @DisplayName("concepts: namespaceSelector {} selects all pods in all namespaces, not external addresses")
    void emptyNamespaceSelectorExcludesExternal() {
        final Policy ingress = policy("shop", "from-cluster", sel("app", "web")).ingress(rule(peers(namespaces(ALL)))).build();
        expect(true, List.of(ingress), "10.1.0.3", "10.1.0.1", Protocol.TCP, 8080);
        expect(false, List.of(ingress), "203.0.113.9", "10.1.0.1", Protocol.TCP, 8080);
    }

    @Test
    @DisplayName("API NetworkPolicyIngressRule.from: empty or missing matches all sources, external ones too")
    void ruleWithoutPeersMatchesExternal() {
        final Policy ingress = policy("shop", "from-anyone", sel("app", "web")).ingress(anyone(tcp(8080))).build();
        expect(true, List.of(ingress), "203.0.113.9", "10.1.0.1", Protocol.TCP, 8080);
        expect(false, List.of(ingress), "203.0.113.9", "10.1.0.1", Protocol.TCP, 8081);
    }

    @Test
    @DisplayName("API NetworkPolicyPort.port: an egress named port resolves against the remote (destination) pod")
    void egressNamedPortResolvesAgainstDestination() {
        final Policy egress = policy("shop", "to-http", sel("app", "web")).types(Direction.EGRESS).egress(anyone(named(Protocol.TCP, "http"))).build();
        expect(true, List.of(egress), "10.1.0.1", "10.1.0.2", Protocol.TCP, 9090); // api's "http" is 9090
        expect(false, List.of(egress), "10.1.0.1", "10.1.0.2", Protocol.TCP, 8080); // web's "http", not api's
        expect(false, List.of(egress), "10.1.0.1", "10.1.0.3", Protocol.TCP, 5432); // db has no "http": nothing
        expect(false, List.of(egress), "10.1.0.1", "8.8.8.8", Protocol.TCP, 9090); // not a pod: a name matches nothing
    }

    @Test
    @DisplayName("API NetworkPolicyPort.port: an ingress named port resolves against the selected pod itself")
    void ingressNamedPortResolvesAgainstSelf() {
        final Policy ingress = policy("shop", "http-in", ALL).ingress(anyone(named(Protocol.TCP, "http"))).build();
        expect(true, List.of(ingress), "10.1.0.3", "10.1.0.1", Protocol.TCP, 8080);
        expect(false, List.of(ingress), "10.1.0.3", "10.1.0.1", Protocol.TCP, 9090);
        expect(true, List.of(ingress), "10.1.0.3", "10.1.0.2", Protocol.TCP, 9090);
        expect(false, List.of(ingress), "10.1.0.3", "10.1.0.2", Protocol.TCP, 8080);
    }

    @Test
    @DisplayName("API: a named port that no container declares allows nothing (the pod is still isolated)")
    void unknownNamedPortAllowsNothing() {
        final Policy ingress = policy("shop", "nope", sel("app", "web")).ingress(anyone(named(Protocol.TCP, "nope"))).build();
        expect(false, List.of(ingress), "10.1.0.2", "10.1.0.1", Protocol.TCP, 8080);
    }

    @Test
    @DisplayName("API: protocols other than TCP/UDP/SCTP (ICMP) are allowed only by rules without ports")
    void otherProtocols() {
        final Policy withPorts = policy("shop", "tcp-only", sel("app", "web")).ingress(anyone(tcp(8080))).build();
        final Policy withoutPorts = policy("shop", "any-port", sel("app", "web")).ingress(anyone()).build();
        expect(false, List.of(withPorts), "10.1.0.2", "10.1.0.1", Protocol.OTHER, 0);
        expect(true, List.of(withoutPorts), "10.1.0.2", "10.1.0.1", Protocol.OTHER, 0);
    }

    @Test
    @DisplayName("IPv6: pods and ipBlocks of the other family work the same way")
    void ipv6() {
        final Policy ingress = policy("shop", "from-v6", sel("app", "web")).ingress(rule(peers(block("2001:db8::/32", "2001:db8:1::/48")))).build();
        expect(true, List.of(ingress), "2001:db8:2::5", "fd00::1", Protocol.TCP, 8080);
        expect(false, List.of(ingress), "2001:db8:1::5", "fd00::1", Protocol.TCP, 8080);
        expect(false, List.of(ingress), "2001:db9::5", "fd00::1", Protocol.TCP, 8080);
        expect(false, List.of(ingress), "203.0.113.1", "10.1.0.1", Protocol.TCP, 8080);
    }

    @Test
    @DisplayName("a connection needs the source's egress and the destination's ingress")
    void bothSidesMustAllow() {
        final Policy webOut = policy("shop", "web-out", sel("app", "web")).types(Direction.EGRESS).egress(anyone(tcp(5432))).build();
        final Policy dbIn = policy("data", "db-in", sel("app", "db")).ingress(rule(peers(namespaces(sel("team", "shop"))), tcp(5432))).build();
        expect(true, List.of(webOut, dbIn), "10.1.0.1", "10.1.0.3", Protocol.TCP, 5432);
        expect(false, List.of(webOut), "10.1.0.1", "10.1.0.2", Protocol.TCP, 9090);
        expect(false, List.of(dbIn), "10.1.0.1", "10.1.0.3", Protocol.TCP, 5433);
    }

    @Test
    @DisplayName("each side is judged only where its pod is local: a remote destination's ingress is not checked here")
    void remotePodsAreNotJudgedHere() {
        final PolicyCompiler compiler = new PolicyCompiler();
        compiler.putPod(WEB);
        compiler.putPod(new PodInfo("data", "db", Map.of("app", "db"), List.of(IpAddress.parse("10.2.0.3")), List.of(), false));
        compiler.putPolicy(policy("data", "deny", ALL).build());
        final PolicySnapshot snapshot = compiler.snapshot();
        final int web = snapshot.refOfIpv4(IpAddress.parse("10.1.0.1").ipv4Bits());
        final int db = snapshot.refOfIpv4(IpAddress.parse("10.2.0.3").ipv4Bits());
        assertTrue(PolicySnapshot.isLocal(web));
        assertFalse(PolicySnapshot.isLocal(db));
        assertTrue(snapshot.allows(web, db, Protocol.TCP.index(), 5432), "db's ingress is its own node's business");
    }

    @Test
    @DisplayName("API policyTypes: [Egress] only: the policy's ingress rules do not isolate the pod for ingress")
    void ingressRulesIgnoredWithEgressTypeOnly() {
        final Policy egressOnly = new Policy("shop", "egress-only", sel("app", "web"), Set.of(Direction.EGRESS),
                List.of(rule(peers(Dsl.pods(sel("app", "nobody"))))), List.of(anyone(tcp(53))));
        expect(true, List.of(egressOnly), "10.1.0.2", "10.1.0.1", Protocol.TCP, 8080);
        expect(false, List.of(egressOnly), "10.1.0.1", "10.1.0.2", Protocol.TCP, 9090);
    }

    @Test
    @DisplayName("a namespace that was never declared still has its automatic kubernetes.io/metadata.name label")
    void undeclaredNamespaceHasNameLabel() {
        final PodInfo stray = pod("stray", "s", "10.1.0.9", Map.of("app", "s"));
        final PolicyCompiler compiler = new PolicyCompiler();
        compiler.putPod(WEB);
        compiler.putPod(stray);
        compiler.putPolicy(policy("shop", "from-stray", sel("app", "web")).ingress(rule(peers(namespaces(Dsl.nsName("stray"))))).build());
        final PolicySnapshot snapshot = compiler.snapshot();
        assertTrue(snapshot.allows(compiler.refOfPod("stray/s"), compiler.refOfPod("shop/web"), Protocol.TCP.index(), 80));
        assertFalse(snapshot.allows(compiler.refOfPod("shop/web"), compiler.refOfPod("shop/web"), Protocol.TCP.index(), 80));
    }

    @Test
    @DisplayName("explanations name the deciding policies and rules")
    void explanationText() {
        final Policy deny = policy("shop", "default-deny", ALL).build();
        final Policy allow = policy("shop", "allow-web", sel("app", "web")).ingress(rule(peers(Dsl.pods(sel("app", "api"))), tcp(8080))).build();
        final PolicyModel model = new PolicyModel(Map.of(), List.of(WEB, API), List.of(deny, allow), Set.of());
        final PolicyExplainer explainer = new PolicyExplainer(model);
        final Explanation allowed = explainer.explain(new Endpoint.Pod(API), new Endpoint.Pod(WEB), Protocol.TCP, 8080);
        assertEquals(List.of("egress: allowed: no policy isolates shop/api for egress", "ingress: allowed by shop/allow-web rule 0"), allowed.lines());
        final Explanation denied = explainer.explain(new Endpoint.Pod(WEB), new Endpoint.Pod(API), Protocol.TCP, 9090);
        assertEquals("ingress: denied: isolated by shop/default-deny, no rule matches", denied.lines().get(1));
        assertFalse(denied.allowed());
    }
}
