package io.isthmus.slowpath.policy;

import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.isthmus.policy.compile.PolicyCompiler;
import io.isthmus.policy.compile.PolicySnapshot;
import io.isthmus.policy.explain.PolicyModel;
import io.isthmus.policy.model.IpAddress;
import io.isthmus.policy.model.NamespaceInfo;
import io.isthmus.policy.model.PodInfo;
import io.isthmus.policy.model.Policy;
import io.isthmus.slowpath.manifest.Manifest;
import io.isthmus.slowpath.manifest.ManifestDirectory;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The Namespaces, Pods and NetworkPolicies of a YAML directory, mapped to policy-engine records
 * and compiled, for offline evaluation ({@code isthmus policy eval}). Every pod counts as local
 * (the evaluator plays every node at once). Other kinds are ignored.
 *
 * <p>Loading never throws for bad content: {@link #errors()} lists every refused document and
 * every invalid object as {@code FILE document N (Kind ns/name): reason}.
 *
 * <p><b>Thread-safety:</b> built and used by one thread (the CLI's).
 */
public final class OfflinePolicySet {
    private final Map<String, NamespaceInfo> namespaces = new LinkedHashMap<>();
    private final Map<String, PodInfo> pods = new LinkedHashMap<>();
    private final List<Policy> policies = new ArrayList<>();
    private final List<String> errors = new ArrayList<>();
    private final Set<IpAddress> nodeAddresses;
    private PolicyCompiler compiler;
    private PolicySnapshot snapshot;

    private OfflinePolicySet(Collection<IpAddress> nodeAddresses) {
        this.nodeAddresses = new HashSet<>(nodeAddresses);
    }

    /** Reads {@code dir}; {@code nodeAddresses} are the addresses treated as the pods' own node. */
    public static OfflinePolicySet load(Path dir, Collection<IpAddress> nodeAddresses) {
        final OfflinePolicySet set = new OfflinePolicySet(nodeAddresses);
        final ManifestDirectory manifests = ManifestDirectory.load(dir);
        manifests.errors().forEach(error -> set.errors.add(error.toString()));
        for (Manifest manifest : manifests.manifests()) {
            set.add(manifest);
        }
        if (set.errors.isEmpty()) {
            set.compile();
        }
        return set;
    }

    private void add(Manifest manifest) {
        final List<String> problems = new ArrayList<>();
        switch (manifest.object()) {
            case Namespace namespace -> {
                final NamespaceInfo info = KubernetesPolicyMapper.namespace(namespace);
                namespaces.put(info.name(), info);
            }
            case Pod pod -> {
                final PodInfo info = KubernetesPolicyMapper.pod(pod, true, problems);
                if (info != null && pods.putIfAbsent(info.key(), info) != null) {
                    problems.add("a Pod " + info.key() + " was already declared");
                }
            }
            case NetworkPolicy networkPolicy -> {
                final Policy policy = KubernetesPolicyMapper.policy(networkPolicy, problems);
                if (policy != null) {
                    policies.add(policy);
                }
            }
            default -> {
            }
        }
        for (String problem : problems) {
            errors.add(manifest.file() + " document " + manifest.documentIndex() + " (" + manifest.describe() + "): " + problem);
        }
    }

    private void compile() {
        compiler = new PolicyCompiler();
        namespaces.values().forEach(compiler::putNamespace);
        pods.values().forEach(compiler::putPod);
        policies.forEach(compiler::putPolicy);
        compiler.setNodeAddresses(nodeAddresses);
        snapshot = compiler.snapshot();
    }

    public List<String> errors() {
        return errors;
    }

    /** Pods by namespace/name, in file order. */
    public Map<String, PodInfo> pods() {
        return pods;
    }

    public PolicyCompiler compiler() {
        return compiler;
    }

    /** The compiled tables (the same kind the fast path uses); null when there were errors. */
    public PolicySnapshot snapshot() {
        return snapshot;
    }

    /** The declared objects, for explanations. */
    public PolicyModel model() {
        return new PolicyModel(namespaces, List.copyOf(pods.values()), policies, nodeAddresses);
    }
}
