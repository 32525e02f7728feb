package io.isthmus.policy;

import io.isthmus.policy.compile.PolicyCompiler;
import io.isthmus.policy.model.NamespaceInfo;
import io.isthmus.policy.model.PodInfo;
import io.isthmus.policy.model.Policy;

import java.util.ArrayList;

/** Drives a {@link RandomWorld} and mirrors each change into an incremental compiler. */
public final class RandomWorldAccess {
    private final RandomWorld world;

    public RandomWorldAccess(long seed) {
        world = new RandomWorld(seed, 4, 30, 12);
    }

    /** A compiler fed the current state from scratch. */
    public PolicyCompiler fullCompiler() {
        final PolicyCompiler compiler = new PolicyCompiler();
        world.namespaces.values().forEach(compiler::putNamespace);
        world.pods.values().forEach(compiler::putPod);
        world.policies.values().forEach(compiler::putPolicy);
        compiler.setNodeAddresses(world.nodeAddresses);
        return compiler;
    }

    /** Makes one random change to the world and to {@code compiler}; returns what it did. */
    public String randomChange(PolicyCompiler compiler) {
        final int kind = world.random.nextInt(10);
        if (kind < 4) { // pod label change: the common case
            final PodInfo pod = world.pick(new ArrayList<>(world.pods.values()));
            final PodInfo changed = pod.withLabels(world.labels());
            world.pods.put(changed.key(), changed);
            compiler.putPod(changed);
            return "labels of " + pod.key() + " -> " + changed.labels();
        }
        if (kind == 4) {
            final NamespaceInfo ns = world.pick(new ArrayList<>(world.namespaces.values()));
            final NamespaceInfo changed = NamespaceInfo.of(ns.name(), world.labels());
            world.namespaces.put(changed.name(), changed);
            compiler.putNamespace(changed);
            return "labels of namespace " + ns.name() + " -> " + changed.labels();
        }
        if (kind == 5) {
            final PodInfo pod = world.addPod();
            compiler.putPod(pod);
            return "add pod " + pod.key();
        }
        if (kind == 6 && world.pods.size() > 5) {
            final String key = world.pick(new ArrayList<>(world.pods.keySet()));
            world.pods.remove(key);
            compiler.removePod(key);
            return "remove pod " + key;
        }
        if (kind == 7) {
            final Policy policy = world.addPolicy();
            compiler.putPolicy(policy);
            return "add policy " + policy.key();
        }
        if (kind == 8 && !world.policies.isEmpty()) {
            final Policy old = world.pick(new ArrayList<>(world.policies.values()));
            final Policy changed = world.randomPolicy(old.namespace(), old.name());
            world.policies.put(changed.key(), changed);
            compiler.putPolicy(changed);
            return "replace policy " + old.key();
        }
        if (!world.policies.isEmpty()) {
            final String key = world.pick(new ArrayList<>(world.policies.keySet()));
            world.policies.remove(key);
            compiler.removePolicy(key);
            return "remove policy " + key;
        }
        return "nothing";
    }
}
