package io.isthmus.fastpath.golden;

import io.isthmus.fastpath.packet.Ipv4Address;
import io.isthmus.fastpath.pipeline.FlowSettings;
import io.isthmus.fastpath.pipeline.RouteTable;
import io.isthmus.fastpath.testing.FlowTables;
import io.isthmus.lb.model.Protocol;
import io.isthmus.policy.compile.PolicyCompiler;
import io.isthmus.policy.model.Direction;
import io.isthmus.policy.model.IpAddress;
import io.isthmus.policy.model.LabelSelector;
import io.isthmus.policy.model.NamespaceInfo;
import io.isthmus.policy.model.PodInfo;
import io.isthmus.policy.model.Policy;
import io.isthmus.policy.model.PolicyPeer;
import io.isthmus.policy.model.PolicyPort;
import io.isthmus.policy.model.PolicyRule;

import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;

/**
 * The flow tables of a golden case, from the flow directives of its {@code case.txt} (all in
 * namespace {@code default}; the SNAT pool of the node address 169.254.1.1 is the one port
 * {@value #SNAT_PORT}, so the SNAT choice is known):
 *
 * <pre>
 *   flow                                              conntrack, Service and policy stages on
 *   service NAME PROTO VIP PORT TARGET_PORT [BACKEND...]  a ClusterIP Service, ready endpoints
 *   pod NAME IP APP                                   a pod with label app=APP (for policy)
 *   deny-ingress APP                                  pods app=APP are isolated for ingress
 *   allow-ingress APP FROM_APP PROTO PORT             ... and accept FROM_APP on PROTO/PORT
 * </pre>
 */
final class GoldenFlowTables {
    static final int SNAT_PORT = 40000;

    private GoldenFlowTables() {
    }

    /** Null when the case has no {@code flow} directive (the plain switching path). */
    static FlowTables parse(List<String> lines, RouteTable routes, Path file) {
        FlowTables flow = null;
        PolicyCompiler policy = null;
        for (String line : lines) {
            final String[] w = line.strip().split("\\s+");
            switch (w[0]) {
                case "flow" -> flow = new FlowTables(routes, FlowSettings.defaults(), SNAT_PORT, SNAT_PORT);
                case "service" -> {
                    require(flow, file, line);
                    final String[] backends = java.util.Arrays.copyOfRange(w, 6, w.length);
                    flow.clusterIpService(w[1], w[3], Protocol.valueOf(w[2]), Integer.parseInt(w[4]), Integer.parseInt(w[5]), backends);
                }
                case "pod" -> {
                    require(flow, file, line);
                    policy = policy == null ? newCompiler() : policy;
                    policy.putPod(new PodInfo("default", w[1], Map.of("app", w[3]),
                            List.of(IpAddress.ofIpv4(Ipv4Address.parse(w[2]))), List.of(), true));
                }
                case "deny-ingress" -> {
                    require(flow, file, line);
                    policy = policy == null ? newCompiler() : policy;
                    policy.putPolicy(new Policy("default", "deny-" + w[1], LabelSelector.ofLabels(Map.of("app", w[1])),
                            EnumSet.of(Direction.INGRESS), List.of(), List.of()));
                }
                case "allow-ingress" -> {
                    require(flow, file, line);
                    policy = policy == null ? newCompiler() : policy;
                    policy.putPolicy(new Policy("default", "allow-" + w[1] + "-from-" + w[2],
                            LabelSelector.ofLabels(Map.of("app", w[1])), EnumSet.of(Direction.INGRESS),
                            List.of(new PolicyRule(List.of(PolicyPeer.pods(LabelSelector.ofLabels(Map.of("app", w[2])))),
                                    List.of(PolicyPort.number(io.isthmus.policy.model.Protocol.ofApiName(w[3]), Integer.parseInt(w[4]))))),
                            List.of()));
                }
                default -> {
                }
            }
        }
        if (policy != null) {
            flow.policy(policy);
        }
        return flow;
    }

    private static PolicyCompiler newCompiler() {
        final PolicyCompiler compiler = new PolicyCompiler();
        compiler.putNamespace(NamespaceInfo.of("default", Map.of()));
        return compiler;
    }

    private static void require(FlowTables flow, Path file, String line) {
        if (flow == null) {
            throw new IllegalArgumentException(file + ": '" + line + "' needs a 'flow' line before it");
        }
    }
}
