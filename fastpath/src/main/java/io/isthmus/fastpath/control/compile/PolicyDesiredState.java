package io.isthmus.fastpath.control.compile;

import io.isthmus.policy.compile.PolicyCompiler;
import io.isthmus.policy.compile.PolicySnapshot;
import io.isthmus.policy.model.IpAddress;
import io.isthmus.policy.model.NamespaceInfo;
import io.isthmus.policy.model.PodInfo;
import io.isthmus.policy.model.Policy;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The desired Namespaces, Pods and NetworkPolicies, fed one change at a time into the
 * incremental {@link PolicyCompiler}: a snapshot after a pod, namespace or policy change
 * recompiles only the verdict tables that change touches and shares every other with the
 * previous generation.
 *
 * <p>Records are kept by the key the slow path sends ({@code namespace/name}; a namespace by
 * name), so a delete needs no payload. An unchanged record is not passed on.
 *
 * <p><b>Thread-safety:</b> none; owned by the fast path's control agent.
 */
public final class PolicyDesiredState {
    private final PolicyCompiler compiler = new PolicyCompiler();
    private final Map<String, NamespaceInfo> namespaces = new HashMap<>();
    private final Map<String, PodInfo> pods = new HashMap<>();
    private final Map<String, Policy> policies = new HashMap<>();
    private boolean dirty;

    public PolicyDesiredState(Collection<IpAddress> nodeAddresses) {
        compiler.setNodeAddresses(nodeAddresses);
        dirty = true; // the first snapshot: no pod is isolated yet, every flow allowed
    }

    public boolean putNamespace(String key, NamespaceInfo namespace) {
        final NamespaceInfo old = namespaces.put(key, namespace);
        if (namespace.equals(old)) {
            return false;
        }
        if (old != null && !old.name().equals(namespace.name())) {
            compiler.removeNamespace(old.name());
        }
        compiler.putNamespace(namespace);
        return dirty = true;
    }

    public boolean removeNamespace(String key) {
        final NamespaceInfo old = namespaces.remove(key);
        if (old == null) {
            return false;
        }
        compiler.removeNamespace(old.name());
        return dirty = true;
    }

    public boolean putPod(String key, PodInfo pod) {
        final PodInfo old = pods.put(key, pod);
        if (pod.equals(old)) {
            return false;
        }
        if (old != null && !Objects.equals(old.key(), pod.key())) {
            compiler.removePod(old.key());
        }
        compiler.putPod(pod);
        return dirty = true;
    }

    public boolean removePod(String key) {
        final PodInfo old = pods.remove(key);
        if (old == null) {
            return false;
        }
        compiler.removePod(old.key());
        return dirty = true;
    }

    public boolean putPolicy(String key, Policy policy) {
        final Policy old = policies.put(key, policy);
        if (policy.equals(old)) {
            return false;
        }
        if (old != null && !old.key().equals(policy.key())) {
            compiler.removePolicy(old.key());
        }
        compiler.putPolicy(policy);
        return dirty = true;
    }

    public boolean removePolicy(String key) {
        final Policy old = policies.remove(key);
        if (old == null) {
            return false;
        }
        compiler.removePolicy(old.key());
        return dirty = true;
    }

    public boolean dirty() {
        return dirty;
    }

    /** The next generation (only what changed is compiled); clears {@link #dirty()}. */
    public PolicySnapshot snapshot() {
        dirty = false;
        return compiler.snapshot();
    }

    /** The compiler, for dumps and identity names; call on the owning thread only. */
    public PolicyCompiler compiler() {
        return compiler;
    }
}
