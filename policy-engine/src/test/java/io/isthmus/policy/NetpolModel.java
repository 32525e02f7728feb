package io.isthmus.policy;

import io.isthmus.policy.compile.PolicyCompiler;
import io.isthmus.policy.compile.PolicySnapshot;
import io.isthmus.policy.explain.Endpoint;
import io.isthmus.policy.explain.PolicyExplainer;
import io.isthmus.policy.explain.PolicyModel;
import io.isthmus.policy.model.ContainerPort;
import io.isthmus.policy.model.IpAddress;
import io.isthmus.policy.model.NamespaceInfo;
import io.isthmus.policy.model.PodInfo;
import io.isthmus.policy.model.Policy;
import io.isthmus.policy.model.Protocol;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The upstream e2e "netpol" model (test/e2e/network/netpol): namespaces x, y, z, each with pods
 * a, b, c labelled {@code pod=<name>}, every pod serving TCP, UDP and SCTP on ports 80 and 81
 * with container ports named {@code serve-80-tcp}, {@code serve-81-udp}, ... Namespaces carry
 * {@code ns=<name>} and the automatic {@code kubernetes.io/metadata.name} label. Pod x/a is
 * 10.0.1.1, y/b 10.0.2.2, and so on; the node's own address is 10.0.0.254.
 *
 * <p>Matrices are truth tables: a row is the client, a column the server; {@code .} allowed,
 * {@code X} denied, {@code -} the pod itself (not probed: upstream ignores loopback, and the CLI
 * matrix lists distinct pairs only).
 */
final class NetpolModel {
    static final List<String> NAMESPACES = List.of("x", "y", "z");
    static final List<String> PODS = List.of("a", "b", "c");
    static final IpAddress NODE = IpAddress.parse("10.0.0.254");

    final Map<String, NamespaceInfo> namespaces = new LinkedHashMap<>();
    final List<PodInfo> pods = new ArrayList<>();

    NetpolModel() {
        for (int n = 0; n < NAMESPACES.size(); n++) {
            final String ns = NAMESPACES.get(n);
            namespaces.put(ns, NamespaceInfo.of(ns, Map.of("ns", ns)));
            for (int p = 0; p < PODS.size(); p++) {
                pods.add(new PodInfo(ns, PODS.get(p), Map.of("pod", PODS.get(p)),
                        List.of(IpAddress.parse("10.0." + (n + 1) + "." + (p + 1))), containerPorts(), true));
            }
        }
    }

    static List<ContainerPort> containerPorts() {
        final List<ContainerPort> ports = new ArrayList<>();
        for (int port : new int[] {80, 81}) {
            for (Protocol protocol : List.of(Protocol.TCP, Protocol.UDP, Protocol.SCTP)) {
                ports.add(new ContainerPort("serve-" + port + "-" + protocol.name().toLowerCase(Locale.ROOT), protocol, port));
            }
        }
        return ports;
    }

    PolicyCompiler compiler(List<Policy> policies) {
        final PolicyCompiler compiler = new PolicyCompiler();
        namespaces.values().forEach(compiler::putNamespace);
        pods.forEach(compiler::putPod);
        policies.forEach(compiler::putPolicy);
        compiler.setNodeAddresses(List.of(NODE));
        return compiler;
    }

    PolicyModel semanticModel(List<Policy> policies) {
        return new PolicyModel(namespaces, pods, policies, Set.of(NODE));
    }

    /** The matrix as the compiled tables decide it, looking both pods up by address. */
    String compiledMatrix(PolicySnapshot snapshot, Protocol protocol, int port) {
        return matrix((from, to) -> snapshot.allows(
                snapshot.refOfIpv4(from.addresses().getFirst().ipv4Bits()),
                snapshot.refOfIpv4(to.addresses().getFirst().ipv4Bits()), protocol.index(), port));
    }

    /** The matrix as the explainer (the semantic reference) decides it. */
    String explainedMatrix(List<Policy> policies, Protocol protocol, int port) {
        final PolicyExplainer explainer = new PolicyExplainer(semanticModel(policies));
        return matrix((from, to) -> explainer.explain(new Endpoint.Pod(from), new Endpoint.Pod(to), protocol, port).allowed());
    }

    interface Verdict {
        boolean allowed(PodInfo from, PodInfo to);
    }

    String matrix(Verdict verdict) {
        final StringBuilder text = new StringBuilder("   ");
        for (PodInfo to : pods) {
            text.append(' ').append(to.key());
        }
        text.append('\n');
        for (PodInfo from : pods) {
            text.append(from.key());
            for (PodInfo to : pods) {
                text.append("   ").append(from == to ? '-' : verdict.allowed(from, to) ? '.' : 'X');
            }
            text.append('\n');
        }
        return text.toString();
    }

    /** Normalises a hand-written table (any spacing) to {@link #matrix}'s layout. */
    static String normalise(String table) {
        final StringBuilder text = new StringBuilder();
        for (String line : table.strip().split("\n")) {
            text.append(String.join(" ", line.strip().split("\\s+"))).append('\n');
        }
        return text.toString();
    }

    /** Checks {@code expected} against the compiled tables and against the explainer. */
    void check(String expected, Protocol protocol, int port, List<Policy> policies) {
        final PolicySnapshot snapshot = compiler(policies).snapshot();
        final String label = protocol + "/" + port;
        assertEquals(normalise(expected), normalise(compiledMatrix(snapshot, protocol, port)), "compiled tables, " + label);
        assertEquals(normalise(expected), normalise(explainedMatrix(policies, protocol, port)), "explainer, " + label);
    }
}
