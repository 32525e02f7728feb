package io.isthmus.benchmarks.policy;

import io.isthmus.policy.compile.PolicyCompiler;
import io.isthmus.policy.model.Cidr;
import io.isthmus.policy.model.ContainerPort;
import io.isthmus.policy.model.IpAddress;
import io.isthmus.policy.model.IpBlock;
import io.isthmus.policy.model.LabelSelector;
import io.isthmus.policy.model.NamespaceInfo;
import io.isthmus.policy.model.PodInfo;
import io.isthmus.policy.model.Policy;
import io.isthmus.policy.model.PolicyPeer;
import io.isthmus.policy.model.PolicyPort;
import io.isthmus.policy.model.PolicyRule;
import io.isthmus.policy.model.Protocol;
import io.isthmus.policy.model.SelectorOperator;
import io.isthmus.policy.model.SelectorRequirement;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A cluster shaped like a real one, for the policy benchmarks: 100 namespaces (labels team, env),
 * 500 workloads of 20 pods each (10,000 pods; labels app, tier, version; named ports http and
 * metrics), and N policies, each selecting one workload and mixing the peer kinds seen in
 * practice: namespace+pod selectors, namespaceSelector {} on a named port, ipBlocks with except,
 * matchExpressions, and egress rules on every fifth policy.
 */
final class PolicyWorkload {
    static final int NAMESPACES = 100;
    static final int APPS = 500;
    static final int PODS_PER_APP = 20;

    final List<NamespaceInfo> namespaces = new ArrayList<>();
    final List<PodInfo> pods = new ArrayList<>();
    final List<Policy> policies = new ArrayList<>();

    PolicyWorkload(int policyCount) {
        for (int n = 0; n < NAMESPACES; n++) {
            namespaces.add(NamespaceInfo.of("ns-" + n, Map.of("team", "t" + (n % 10), "env", n % 3 == 0 ? "prod" : "dev")));
        }
        final List<ContainerPort> ports = List.of(new ContainerPort("http", Protocol.TCP, 8080), new ContainerPort("metrics", Protocol.TCP, 9090));
        int address = (10 << 24) | (1 << 16);
        for (int app = 0; app < APPS; app++) {
            for (int replica = 0; replica < PODS_PER_APP; replica++) {
                pods.add(new PodInfo(namespaceOf(app), "app-" + app + "-" + replica, podLabels(app, "v" + (app % 2)),
                        List.of(IpAddress.ofIpv4(++address)), ports, true));
            }
        }
        for (int j = 0; j < policyCount; j++) {
            policies.add(policy(j));
        }
    }

    static String namespaceOf(int app) {
        return "ns-" + (app % NAMESPACES);
    }

    static Map<String, String> podLabels(int app, String version) {
        return Map.of("app", "app-" + app, "tier", app % 3 == 0 ? "front" : app % 3 == 1 ? "back" : "db", "version", version);
    }

    private static Policy policy(int j) {
        final int app = j % APPS;
        final LabelSelector selects = LabelSelector.ofLabels(Map.of("app", "app-" + app));
        final List<PolicyRule> ingress = new ArrayList<>();
        switch (j % 4) {
            case 0 -> ingress.add(new PolicyRule(List.of(PolicyPeer.podsInNamespaces(
                    LabelSelector.ofLabels(Map.of("tier", "front")), LabelSelector.ofLabels(Map.of("team", "t" + (j % 10))))),
                    List.of(PolicyPort.number(Protocol.TCP, 8080), PolicyPort.number(Protocol.TCP, 8443))));
            case 1 -> ingress.add(new PolicyRule(List.of(PolicyPeer.pods(new LabelSelector(Map.of(),
                    List.of(new SelectorRequirement("tier", SelectorOperator.IN, List.of("front", "back")))))),
                    List.of(PolicyPort.range(Protocol.TCP, 8000, 8100))));
            case 2 -> ingress.add(new PolicyRule(List.of(PolicyPeer.addresses(new IpBlock(Cidr.parse("172." + (16 + j % 16) + ".0.0/16"),
                    List.of(Cidr.parse("172." + (16 + j % 16) + "." + (j % 256) + ".0/24"))))), List.of(PolicyPort.number(Protocol.TCP, 443))));
            default -> ingress.add(new PolicyRule(List.of(PolicyPeer.namespaces(LabelSelector.ALL)),
                    List.of(PolicyPort.named(Protocol.TCP, "metrics"))));
        }
        final List<PolicyRule> egress = new ArrayList<>();
        if (j % 5 == 0) {
            egress.add(new PolicyRule(List.of(PolicyPeer.namespaces(LabelSelector.ofLabels(Map.of("env", "prod")))),
                    List.of(PolicyPort.named(Protocol.TCP, "http"))));
            egress.add(new PolicyRule(List.of(PolicyPeer.addresses(new IpBlock(Cidr.parse("0.0.0.0/0"), List.of(Cidr.parse("10.0.0.0/8"))))),
                    List.of(PolicyPort.number(Protocol.UDP, 53), PolicyPort.number(Protocol.TCP, 53))));
        }
        return new Policy(namespaceOf(app), "policy-" + j, selects,
                Policy.effectiveTypes(null, !egress.isEmpty()), ingress, egress);
    }

    PolicyCompiler compiler() {
        final PolicyCompiler compiler = new PolicyCompiler();
        namespaces.forEach(compiler::putNamespace);
        pods.forEach(compiler::putPod);
        policies.forEach(compiler::putPolicy);
        compiler.setNodeAddresses(List.of(IpAddress.parse("192.168.0.1")));
        return compiler;
    }

}
