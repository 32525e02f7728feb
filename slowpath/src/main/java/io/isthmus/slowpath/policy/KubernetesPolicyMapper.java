package io.isthmus.slowpath.policy;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodIP;
import io.fabric8.kubernetes.api.model.networking.v1.IPBlock;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicySpec;
import io.isthmus.policy.model.Cidr;
import io.isthmus.policy.model.ContainerPort;
import io.isthmus.policy.model.Direction;
import io.isthmus.policy.model.IpAddress;
import io.isthmus.policy.model.IpBlock;
import io.isthmus.policy.model.LabelSelector;
import io.isthmus.policy.model.NamespaceInfo;
import io.isthmus.policy.model.PodInfo;
import io.isthmus.policy.model.Policy;
import io.isthmus.policy.model.PolicyPeer;
import io.isthmus.policy.model.PolicyPort;
import io.isthmus.policy.model.PolicyRule;
import io.isthmus.policy.model.PolicyValidator;
import io.isthmus.policy.model.Protocol;
import io.isthmus.policy.model.SelectorOperator;
import io.isthmus.policy.model.SelectorRequirement;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns fabric8 Kubernetes objects (Namespace, Pod, NetworkPolicy) into the policy engine's
 * plain records. This is the only place where the two meet: the policy engine never sees a
 * fabric8 type.
 *
 * <p>Problems (an unknown operator or protocol, a CIDR that does not parse, an unknown field, and
 * everything {@link PolicyValidator} refuses) are added to the caller's list as sentences naming
 * the field ({@code spec.ingress[0].from[1].ipBlock.cidr: ...}); the result is then null.
 *
 * <p><b>Thread-safety:</b> stateless; any thread.
 */
public final class KubernetesPolicyMapper {
    private static final String DEFAULT_NAMESPACE = "default";

    private KubernetesPolicyMapper() {
    }

    public static NamespaceInfo namespace(Namespace namespace) {
        final Map<String, String> labels = namespace.getMetadata().getLabels();
        return NamespaceInfo.of(namespace.getMetadata().getName(), labels == null ? Map.of() : labels);
    }

    /** A pod; {@code local} says whether its verdict tables are enforced here. Null (with problems) on a bad address. */
    public static PodInfo pod(Pod pod, boolean local, List<String> problems) {
        final List<ContainerPort> ports = new ArrayList<>();
        if (pod.getSpec() != null) {
            final List<Container> containers = new ArrayList<>(nullToEmpty(pod.getSpec().getContainers()));
            containers.addAll(nullToEmpty(pod.getSpec().getInitContainers())); // sidecars can serve too
            for (Container container : containers) {
                for (io.fabric8.kubernetes.api.model.ContainerPort port : nullToEmpty(container.getPorts())) {
                    final Protocol protocol = port.getProtocol() == null ? Protocol.TCP : Protocol.ofApiName(port.getProtocol());
                    if (protocol == null || port.getContainerPort() == null) {
                        problems.add("spec.containers[" + container.getName() + "].ports: protocol must be TCP, UDP or SCTP and containerPort is required");
                        continue;
                    }
                    ports.add(new ContainerPort(port.getName(), protocol, port.getContainerPort()));
                }
            }
        }
        final Set<String> ipTexts = new LinkedHashSet<>();
        if (pod.getStatus() != null) {
            if (pod.getStatus().getPodIP() != null) {
                ipTexts.add(pod.getStatus().getPodIP());
            }
            for (PodIP ip : nullToEmpty(pod.getStatus().getPodIPs())) {
                if (ip.getIp() != null) {
                    ipTexts.add(ip.getIp());
                }
            }
        }
        final List<IpAddress> addresses = new ArrayList<>();
        for (String text : ipTexts) {
            final IpAddress address = IpAddress.parse(text);
            if (address == null) {
                problems.add("status.podIP: '" + text + "' is not an IP address");
            } else {
                addresses.add(address);
            }
        }
        if (!problems.isEmpty()) {
            return null;
        }
        final Map<String, String> labels = pod.getMetadata().getLabels();
        return new PodInfo(namespaceOf(pod.getMetadata().getNamespace()), pod.getMetadata().getName(),
                labels == null ? Map.of() : labels, addresses, ports, local);
    }

    /** A policy, with policyTypes defaulted as the API server does; null (with problems) when invalid. */
    public static Policy policy(NetworkPolicy object, List<String> problems) {
        final int before = problems.size();
        final NetworkPolicySpec spec = object.getSpec() == null ? new NetworkPolicySpec() : object.getSpec();
        unknownFields("spec", spec.getAdditionalProperties(), problems);
        final LabelSelector podSelector = spec.getPodSelector() == null ? LabelSelector.ALL
                : selector("spec.podSelector", spec.getPodSelector(), problems);
        final List<Direction> declared = new ArrayList<>();
        final List<String> types = nullToEmpty(spec.getPolicyTypes());
        for (int i = 0; i < types.size(); i++) {
            switch (String.valueOf(types.get(i))) {
                case "Ingress" -> declared.add(Direction.INGRESS);
                case "Egress" -> declared.add(Direction.EGRESS);
                default -> problems.add("spec.policyTypes[" + i + "]: '" + types.get(i) + "' is not Ingress or Egress");
            }
        }
        final List<PolicyRule> ingress = new ArrayList<>();
        final List<NetworkPolicyIngressRule> ingressRules = nullToEmpty(spec.getIngress());
        for (int r = 0; r < ingressRules.size(); r++) {
            final NetworkPolicyIngressRule rule = ingressRules.get(r);
            final String where = "spec.ingress[" + r + "]";
            unknownFields(where, rule.getAdditionalProperties(), problems);
            ingress.add(new PolicyRule(peers(where + ".from", nullToEmpty(rule.getFrom()), problems),
                    ports(where + ".ports", nullToEmpty(rule.getPorts()), problems)));
        }
        final List<PolicyRule> egress = new ArrayList<>();
        final List<NetworkPolicyEgressRule> egressRules = nullToEmpty(spec.getEgress());
        for (int r = 0; r < egressRules.size(); r++) {
            final NetworkPolicyEgressRule rule = egressRules.get(r);
            final String where = "spec.egress[" + r + "]";
            unknownFields(where, rule.getAdditionalProperties(), problems);
            egress.add(new PolicyRule(peers(where + ".to", nullToEmpty(rule.getTo()), problems),
                    ports(where + ".ports", nullToEmpty(rule.getPorts()), problems)));
        }
        if (problems.size() > before) {
            return null;
        }
        final Policy policy = new Policy(namespaceOf(object.getMetadata().getNamespace()), object.getMetadata().getName(), podSelector,
                Policy.effectiveTypes(declared, !egress.isEmpty()), ingress, egress);
        problems.addAll(PolicyValidator.validate(policy));
        return problems.size() > before ? null : policy;
    }

    static String namespaceOf(String namespace) {
        return namespace == null || namespace.isEmpty() ? DEFAULT_NAMESPACE : namespace;
    }

    private static List<PolicyPeer> peers(String where, List<NetworkPolicyPeer> peers, List<String> problems) {
        final List<PolicyPeer> out = new ArrayList<>();
        for (int p = 0; p < peers.size(); p++) {
            final NetworkPolicyPeer peer = peers.get(p);
            final String at = where + "[" + p + "]";
            unknownFields(at, peer.getAdditionalProperties(), problems);
            final LabelSelector pods = peer.getPodSelector() == null ? null : selector(at + ".podSelector", peer.getPodSelector(), problems);
            final LabelSelector namespaces = peer.getNamespaceSelector() == null ? null
                    : selector(at + ".namespaceSelector", peer.getNamespaceSelector(), problems);
            out.add(new PolicyPeer(pods, namespaces, peer.getIpBlock() == null ? null : ipBlock(at + ".ipBlock", peer.getIpBlock(), problems)));
        }
        return out;
    }

    private static IpBlock ipBlock(String where, IPBlock block, List<String> problems) {
        unknownFields(where, block.getAdditionalProperties(), problems);
        final Cidr cidr = Cidr.parse(block.getCidr());
        if (cidr == null) {
            problems.add(where + ".cidr: '" + block.getCidr() + "' is not a valid CIDR");
            return null;
        }
        final List<Cidr> except = new ArrayList<>();
        final List<String> holes = nullToEmpty(block.getExcept());
        for (int e = 0; e < holes.size(); e++) {
            final Cidr hole = Cidr.parse(holes.get(e));
            if (hole == null) {
                problems.add(where + ".except[" + e + "]: '" + holes.get(e) + "' is not a valid CIDR");
            } else {
                except.add(hole);
            }
        }
        return new IpBlock(cidr, except);
    }

    private static List<PolicyPort> ports(String where, List<NetworkPolicyPort> ports, List<String> problems) {
        final List<PolicyPort> out = new ArrayList<>();
        for (int p = 0; p < ports.size(); p++) {
            final NetworkPolicyPort port = ports.get(p);
            final String at = where + "[" + p + "]";
            unknownFields(at, port.getAdditionalProperties(), problems);
            final Protocol protocol = port.getProtocol() == null ? Protocol.TCP : Protocol.ofApiName(port.getProtocol());
            if (protocol == null) {
                problems.add(at + ".protocol: '" + port.getProtocol() + "' is not TCP, UDP or SCTP");
                continue;
            }
            final IntOrString value = port.getPort();
            final int endPort = port.getEndPort() == null ? 0 : port.getEndPort();
            if (port.getEndPort() != null && port.getEndPort() <= 0) {
                problems.add(at + ".endPort: " + port.getEndPort() + " is not in 1..65535");
            }
            if (value == null || (value.getIntVal() == null && value.getStrVal() == null)) {
                out.add(new PolicyPort(protocol, 0, null, endPort));
            } else if (value.getIntVal() != null) {
                if (value.getIntVal() <= 0) {
                    problems.add(at + ".port: " + value.getIntVal() + " is not in 1..65535");
                    continue;
                }
                out.add(new PolicyPort(protocol, value.getIntVal(), null, endPort));
            } else {
                out.add(new PolicyPort(protocol, 0, value.getStrVal(), endPort));
            }
        }
        return out;
    }

    private static LabelSelector selector(String where, io.fabric8.kubernetes.api.model.LabelSelector selector, List<String> problems) {
        unknownFields(where, selector.getAdditionalProperties(), problems);
        final List<SelectorRequirement> requirements = new ArrayList<>();
        final List<LabelSelectorRequirement> expressions = nullToEmpty(selector.getMatchExpressions());
        for (int i = 0; i < expressions.size(); i++) {
            final LabelSelectorRequirement expression = expressions.get(i);
            final SelectorOperator operator = expression.getOperator() == null ? null : SelectorOperator.ofApiName(expression.getOperator());
            if (operator == null) {
                problems.add(where + ".matchExpressions[" + i + "].operator: '" + expression.getOperator()
                        + "' is not one of In, NotIn, Exists, DoesNotExist");
                continue;
            }
            requirements.add(new SelectorRequirement(expression.getKey(), operator, nullToEmpty(expression.getValues())));
        }
        final Map<String, String> labels = selector.getMatchLabels();
        return new LabelSelector(labels == null ? Map.of() : labels, requirements);
    }

    private static void unknownFields(String where, Map<String, Object> extra, List<String> problems) {
        if (extra != null) {
            for (String field : extra.keySet()) {
                problems.add(where + ": unknown field '" + field + "'");
            }
        }
    }

    private static <T> List<T> nullToEmpty(List<T> list) {
        return list == null ? List.of() : list;
    }
}
