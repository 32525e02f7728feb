package io.isthmus.policy.compile;

import io.isthmus.policy.model.Cidr;
import io.isthmus.policy.model.ContainerPort;
import io.isthmus.policy.model.Direction;
import io.isthmus.policy.model.IpAddress;
import io.isthmus.policy.model.NamespaceInfo;
import io.isthmus.policy.model.PodInfo;
import io.isthmus.policy.model.Policy;
import io.isthmus.policy.model.PolicyPeer;
import io.isthmus.policy.model.PolicyRule;
import io.isthmus.policy.model.Protocol;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Compiles namespaces, pods and policies into {@link PolicySnapshot}s, incrementally: a change
 * marks the work it causes, {@link #snapshot()} does only that work, and every other
 * {@link VerdictTable} is shared with the previous snapshot.
 *
 * <p>What a change causes:
 * <ul>
 *   <li>a policy put or removed: the tables of the identities it selects (before and after) are
 *       recompiled; the CIDR classes its ipBlocks add or remove count as identities appearing or
 *       disappearing;</li>
 *   <li>an identity that appears or disappears (a pod's labels, its namespace's labels or its named
 *       ports moved it; a pod came or went; a prefix; a node address): every table of an identity
 *       selected by a policy with a peer that can match it is <em>patched</em> (that remote
 *       identity's entries redone, the rest copied);</li>
 *   <li>a local identity that gains its first local pod gets a table compiled; one that loses its
 *       last drops it;</li>
 *   <li>addresses: a pod that keeps its addresses but changes identity gets new values in a copy
 *       of the trie; anything else that changes addresses or prefixes rebuilds the tries.</li>
 * </ul>
 *
 * <p><b>Thread-safety:</b> not thread-safe: one slow-path thread owns a compiler and is the only
 * caller. The snapshots it returns are immutable and may be handed to any thread.
 */
public final class PolicyCompiler {
    private final Map<String, NamespaceInfo> namespaces = new HashMap<>();
    private final Map<String, PodInfo> pods = new TreeMap<>();
    private final Map<String, Integer> podIdentity = new HashMap<>();
    private final Map<String, Set<String>> podsByNamespace = new HashMap<>();
    private final Map<String, PolicyEntry> policies = new TreeMap<>();
    private final Map<Cidr, Integer> prefixReferences = new HashMap<>();
    private final Map<IpAddress, Integer> hostIdentity = new HashMap<>();
    private final IdentityRegistry registry = new IdentityRegistry();
    private final PortSetPool portSets = new PortSetPool();
    private final RulePorts rulePorts = new RulePorts(portSets);
    private final BitSet podIdentities = new BitSet();
    private final BitSet addressIdentities = new BitSet();
    private final BitSet dirty = new BitSet();
    /** Local identities whose tables need only the entries of some remote identities redone, and which ones. */
    private final Map<Integer, BitSet> remotePatches = new HashMap<>();
    private final EntryAccumulator accumulator = new EntryAccumulator();
    private final int world4;
    private final int world6;
    private VerdictTable[] tables = new VerdictTable[64];
    /** Per local identity, the policies that select it, as of its last full compilation (patches reuse it). */
    private PolicyEntry[][] selectingPolicies = new PolicyEntry[64][];
    private boolean addressesChanged = true;
    /** Pod addresses whose identity changed (their host routes stay, their values change). */
    private final Map<IpAddress, Integer> hostRouteUpdates = new HashMap<>();
    private PrefixTrie ipv4;
    private PrefixTrie ipv6;
    private long generation;
    private int tablesCompiledLastSnapshot;
    private int tablesPatchedLastSnapshot;

    /** A policy and the pod identities (all, local or not) it selects. */
    private record PolicyEntry(Policy policy, BitSet selected) {
    }

    public PolicyCompiler() {
        world4 = registry.acquire(new IdentityKey.World(false), false);
        world6 = registry.acquire(new IdentityKey.World(true), false);
        addressIdentities.set(world4);
        addressIdentities.set(world6);
    }

    // ---------------------------------------------------------------- changes

    /** Adds or replaces a namespace; pods of a namespace never put have only the name label. */
    public void putNamespace(NamespaceInfo namespace) {
        final NamespaceInfo old = namespaces.put(namespace.name(), namespace);
        if (old == null || !old.labels().equals(namespace.labels())) {
            reidentifyNamespace(namespace.name());
        }
    }

    public void removeNamespace(String name) {
        if (namespaces.remove(name) != null) {
            reidentifyNamespace(name);
        }
    }

    /** Adds or replaces a pod (by namespace/name). */
    public void putPod(PodInfo pod) {
        final PodInfo old = pods.put(pod.key(), pod);
        final IdentityKey.Pod key = identityKeyOf(pod);
        if (old != null) {
            final int oldId = podIdentity.get(pod.key());
            if (key.equals(registry.key(oldId)) && old.local() == pod.local()) {
                addressesChanged |= !old.addresses().equals(pod.addresses());
                return;
            }
            releasePodIdentity(oldId, old.local());
        } else {
            podsByNamespace.computeIfAbsent(pod.namespace(), n -> new LinkedHashSet<>()).add(pod.key());
        }
        podIdentity.put(pod.key(), acquirePodIdentity(key, pod.local()));
        if (old != null && old.addresses().equals(pod.addresses())) {
            // Same addresses, new identity: rewrite the value of its host routes, keep the trie's shape.
            final int ref = refOfPod(pod.key());
            for (IpAddress address : pod.addresses()) {
                hostRouteUpdates.put(address, ref);
            }
        } else {
            addressesChanged = true;
        }
    }

    public void removePod(String namespaceSlashName) {
        final PodInfo old = pods.remove(namespaceSlashName);
        if (old == null) {
            return;
        }
        podsByNamespace.get(old.namespace()).remove(namespaceSlashName);
        releasePodIdentity(podIdentity.remove(namespaceSlashName), old.local());
        addressesChanged = true;
    }

    /** Adds or replaces a policy (by namespace/name). The policy must be valid ({@link io.isthmus.policy.model.PolicyValidator}). */
    public void putPolicy(Policy policy) {
        final BitSet selected = new BitSet();
        for (int id = podIdentities.nextSetBit(0); id >= 0; id = podIdentities.nextSetBit(id + 1)) {
            final IdentityKey.Pod key = (IdentityKey.Pod) registry.key(id);
            if (policy.selects(key.namespace(), key.podLabels())) {
                selected.set(id);
            }
        }
        final PolicyEntry old = policies.put(policy.key(), new PolicyEntry(policy, selected));
        if (old != null) {
            dirty.or(old.selected());
        }
        dirty.or(selected);
        addPrefixes(policy);
        if (old != null) {
            removePrefixes(old.policy());
        }
    }

    public void removePolicy(String namespaceSlashName) {
        final PolicyEntry old = policies.remove(namespaceSlashName);
        if (old != null) {
            dirty.or(old.selected());
            removePrefixes(old.policy());
        }
    }

    /** This node's own addresses: connections from them into a local pod are always allowed. */
    public void setNodeAddresses(Collection<IpAddress> addresses) {
        final Set<IpAddress> wanted = new HashSet<>(addresses);
        for (IpAddress gone : new ArrayList<>(hostIdentity.keySet())) {
            if (!wanted.contains(gone)) {
                final int id = hostIdentity.remove(gone);
                final IdentityKey key = registry.key(id);
                registry.release(id, false);
                identityRemoved(id, key);
            }
        }
        for (IpAddress address : wanted) {
            if (!hostIdentity.containsKey(address)) {
                final IdentityKey key = new IdentityKey.Host(address);
                final int id = registry.acquire(key, false);
                hostIdentity.put(address, id);
                identityAdded(id, key);
            }
        }
    }

    // ---------------------------------------------------------------- snapshots

    /** Compiles what changed since the last call and returns the new immutable generation. */
    public PolicySnapshot snapshot() {
        final int capacity = registry.capacity();
        if (tables.length < capacity) {
            tables = java.util.Arrays.copyOf(tables, Math.max(capacity, tables.length * 2));
            selectingPolicies = java.util.Arrays.copyOf(selectingPolicies, tables.length);
        }
        final Map<Policy, BitSet[][]> remoteCache = new IdentityHashMap<>();
        int compiled = 0;
        for (int id = dirty.nextSetBit(0); id >= 0; id = dirty.nextSetBit(id + 1)) {
            if (registry.hasLocalPods(id)) {
                tables[id] = compile(id, remoteCache);
                compiled++;
            } else {
                tables[id] = null;
                selectingPolicies[id] = null;
            }
        }
        int patched = 0;
        for (Map.Entry<Integer, BitSet> patch : remotePatches.entrySet()) {
            final int id = patch.getKey();
            if (!dirty.get(id) && registry.hasLocalPods(id) && id < tables.length && tables[id] != null) {
                tables[id] = patch(id, tables[id], patch.getValue());
                patched++;
            }
        }
        remotePatches.clear();
        dirty.clear();
        tablesPatchedLastSnapshot = patched;
        tablesCompiledLastSnapshot = compiled;
        if (!addressesChanged && !hostRouteUpdates.isEmpty()) {
            final PrefixTrie updated4 = ipv4.withHostValues(hostRouteUpdates);
            final PrefixTrie updated6 = ipv6.withHostValues(hostRouteUpdates);
            if (updated4 == null || updated6 == null) {
                addressesChanged = true; // an address without its own host route: rebuild
            } else {
                ipv4 = updated4;
                ipv6 = updated6;
            }
        }
        if (addressesChanged) {
            buildTries();
            addressesChanged = false;
        }
        hostRouteUpdates.clear();
        if (portSets.reclaimDue()) {
            portSets.reclaim(portSetsInUse());
        }
        final byte[] kinds = new byte[capacity];
        for (int id = IdentityRegistry.FIRST_ID; id < capacity; id++) {
            final IdentityKey key = registry.key(id);
            kinds[id] = key == null ? 0 : key.kind();
        }
        final int[][] layouts = new int[capacity][];
        for (int id = 0; id < capacity; id++) {
            layouts[id] = tables[id] == null ? null : tables[id].layout();
        }
        return new PolicySnapshot(++generation, ipv4, ipv6, java.util.Arrays.copyOf(tables, capacity), layouts, kinds,
                portSets.bitmaps(), portSets.singleRanges());
    }

    /** How many verdict tables the last {@link #snapshot()} compiled (for tests and metrics). */
    public int tablesCompiledLastSnapshot() {
        return tablesCompiledLastSnapshot;
    }

    /** How many verdict tables the last {@link #snapshot()} patched for appeared or vanished remote identities. */
    public int tablesPatchedLastSnapshot() {
        return tablesPatchedLastSnapshot;
    }

    /** The port sets the current tables name: all that a snapshot built now can read. */
    private BitSet portSetsInUse() {
        final BitSet live = new BitSet();
        for (VerdictTable table : tables) {
            if (table != null) {
                table.addPortSetsTo(live);
            }
        }
        return live;
    }

    /** How many port set ids the pool spans (live or free; for tests and metrics). */
    int portSetCapacity() {
        return portSets.size();
    }

    /** The reference ({@link PolicySnapshot}) of a pod by namespace/name, or -1 when unknown. Slow path. */
    public int refOfPod(String namespaceSlashName) {
        final Integer id = podIdentity.get(namespaceSlashName);
        if (id == null) {
            return -1;
        }
        return pods.get(namespaceSlashName).local() ? id | PolicySnapshot.LOCAL_BIT : id;
    }

    /** What an identity stands for, as text. */
    public String describeIdentity(int identity) {
        final IdentityKey key = registry.key(identity);
        return key == null ? "unknown identity " + identity : key.describe();
    }

    /** Number of identities in use (all kinds). */
    public int identityCount() {
        int n = 0;
        for (int id = IdentityRegistry.FIRST_ID; id < registry.capacity(); id++) {
            n += registry.key(id) == null ? 0 : 1;
        }
        return n;
    }

    /**
     * A canonical text dump of what {@code snapshot} decides, by identity description rather than
     * number, so that two compilers fed the same objects in different orders dump the same text
     * (see {@link SnapshotDump}).
     */
    public String dump(PolicySnapshot snapshot) {
        return SnapshotDump.dump(snapshot, this::describeIdentity, portSets, pods.values());
    }

    // ---------------------------------------------------------------- identities

    private IdentityKey.Pod identityKeyOf(PodInfo pod) {
        final NamespaceInfo namespace = namespaces.getOrDefault(pod.namespace(), NamespaceInfo.of(pod.namespace(), Map.of()));
        final List<ContainerPort> named = new ArrayList<>();
        for (ContainerPort port : pod.containerPorts()) {
            if (port.name() != null && !port.name().isEmpty()) {
                named.add(port);
            }
        }
        named.sort(Comparator.comparing(ContainerPort::name).thenComparing(ContainerPort::protocol).thenComparingInt(ContainerPort::port));
        return new IdentityKey.Pod(pod.namespace(), namespace.labels(), pod.labels(), named);
    }

    private void reidentifyNamespace(String namespace) {
        for (String podKey : List.copyOf(podsByNamespace.getOrDefault(namespace, Set.of()))) {
            putPod(pods.get(podKey));
        }
    }

    private int acquirePodIdentity(IdentityKey.Pod key, boolean local) {
        final int existing = registry.find(key);
        final boolean hadLocal = existing >= 0 && registry.hasLocalPods(existing);
        final int id = registry.acquire(key, local);
        if (existing < 0) {
            podIdentities.set(id);
            for (PolicyEntry entry : policies.values()) {
                entry.selected().set(id, entry.policy().selects(key.namespace(), key.podLabels()));
            }
            identityAdded(id, key);
        }
        if (local && !hadLocal) {
            dirty.set(id);
        }
        return id;
    }

    private void releasePodIdentity(int id, boolean local) {
        final IdentityKey key = registry.key(id);
        if (registry.release(id, local)) {
            identityRemoved(id, key);
            podIdentities.clear(id);
            for (PolicyEntry entry : policies.values()) {
                entry.selected().clear(id);
            }
            dropTable(id);
        } else if (local && !registry.hasLocalPods(id)) {
            dropTable(id);
        }
    }

    private void dropTable(int id) {
        if (id < tables.length) {
            tables[id] = null;
            selectingPolicies[id] = null;
        }
    }

    private void addPrefixes(Policy policy) {
        for (Cidr prefix : prefixesOf(policy)) {
            if (prefixReferences.merge(prefix, 1, Integer::sum) == 1) {
                final IdentityKey key = new IdentityKey.CidrClass(prefix);
                final int id = registry.acquire(key, false);
                identityAdded(id, key);
            }
        }
    }

    private void removePrefixes(Policy policy) {
        for (Cidr prefix : prefixesOf(policy)) {
            if (prefixReferences.merge(prefix, -1, Integer::sum) == 0) {
                prefixReferences.remove(prefix);
                final IdentityKey key = new IdentityKey.CidrClass(prefix);
                final int id = registry.find(key);
                registry.release(id, false);
                identityRemoved(id, key);
            }
        }
    }

    private static Set<Cidr> prefixesOf(Policy policy) {
        final Set<Cidr> prefixes = new HashSet<>();
        for (Direction direction : Direction.values()) {
            for (PolicyRule rule : policy.rules(direction)) {
                for (PolicyPeer peer : rule.peers()) {
                    if (peer.ipBlock() != null) {
                        prefixes.add(peer.ipBlock().cidr());
                        prefixes.addAll(peer.ipBlock().except());
                    }
                }
            }
        }
        return prefixes;
    }

    private void identityAdded(int id, IdentityKey key) {
        if (key.kind() != IdentityKey.KIND_POD) {
            addressIdentities.set(id);
            addressesChanged = true;
        }
        patchTablesMatching(id, key);
    }

    private void identityRemoved(int id, IdentityKey key) {
        if (key.kind() != IdentityKey.KIND_POD) {
            addressIdentities.clear(id);
            addressesChanged = true;
        }
        patchTablesMatching(id, key);
    }

    /**
     * A remote identity appeared or disappeared: the tables of the identities selected by every
     * policy whose rules can give it an entry must have that identity's entries redone (a patch,
     * not a recompilation: the rest of each table stays as it is).
     */
    private void patchTablesMatching(int remote, IdentityKey key) {
        for (PolicyEntry entry : policies.values()) {
            if (PeerMatching.canGiveEntries(entry.policy(), key)) {
                final BitSet selected = entry.selected();
                for (int local = selected.nextSetBit(0); local >= 0; local = selected.nextSetBit(local + 1)) {
                    remotePatches.computeIfAbsent(local, l -> new BitSet()).set(remote);
                }
            }
        }
    }

    // ---------------------------------------------------------------- compiling one table

    private VerdictTable compile(int localId, Map<Policy, BitSet[][]> remoteCache) {
        final IdentityKey.Pod local = (IdentityKey.Pod) registry.key(localId);
        final boolean[] isolated = new boolean[2];
        final int[] anyRemote = new int[2 * Protocol.COUNT];
        final int[][] entryKeys = new int[2][];
        final int[][] entrySets = new int[2][];
        final int[] entryCounts = new int[2];
        final List<PolicyEntry> selecting = new ArrayList<>();
        for (PolicyEntry entry : policies.values()) {
            if (entry.selected().get(localId)) {
                selecting.add(entry);
            }
        }
        selectingPolicies[localId] = selecting.toArray(new PolicyEntry[0]);
        for (Direction direction : Direction.values()) {
            final int d = direction.index();
            accumulator.clear();
            isolated[d] = accumulate(local, localId, direction, null, anyRemote, remoteCache);
            entryKeys[d] = new int[accumulator.size()];
            entrySets[d] = new int[accumulator.size()];
            entryCounts[d] = readOut(d, anyRemote, entryKeys[d], entrySets[d], 0);
        }
        return VerdictTable.of(isolated, entryKeys, entrySets, entryCounts, anyRemote);
    }

    /**
     * Redoes the entries of the remote identities {@code remotes} in a table whose own selection
     * has not changed: keeps every other entry, drops theirs, adds theirs afresh.
     */
    private VerdictTable patch(int localId, VerdictTable old, BitSet remotes) {
        final IdentityKey.Pod local = (IdentityKey.Pod) registry.key(localId);
        final boolean[] isolated = {old.isolated(0), old.isolated(1)};
        final int[] anyRemote = new int[2 * Protocol.COUNT];
        for (int d = 0; d < 2; d++) {
            for (int p = 0; p < Protocol.COUNT; p++) {
                anyRemote[(d << 2) | p] = old.anyRemote(d, p);
            }
        }
        final BitSet alive = (BitSet) remotes.clone();
        for (int remote = alive.nextSetBit(0); remote >= 0; remote = alive.nextSetBit(remote + 1)) {
            if (registry.key(remote) == null) {
                alive.clear(remote);
            }
        }
        final int[][] entryKeys = new int[2][];
        final int[][] entrySets = new int[2][];
        final int[] entryCounts = new int[2];
        for (Direction direction : Direction.values()) {
            final int d = direction.index();
            accumulator.clear();
            if (isolated[d]) {
                accumulate(local, localId, direction, alive, null, null);
            }
            final int oldCapacity = old.capacity(d);
            entryKeys[d] = new int[oldCapacity + accumulator.size()];
            entrySets[d] = new int[oldCapacity + accumulator.size()];
            int n = 0;
            for (int slot = 0; slot < oldCapacity; slot++) {
                final int key = old.keyAt(d, slot);
                if (key != VerdictTable.EMPTY_KEY && !remotes.get(key >>> 2)) {
                    entryKeys[d][n] = key;
                    entrySets[d][n] = old.setAt(d, slot);
                    n++;
                }
            }
            entryCounts[d] = readOut(d, anyRemote, entryKeys[d], entrySets[d], n);
        }
        return VerdictTable.of(isolated, entryKeys, entrySets, entryCounts, anyRemote);
    }

    /** Copies the accumulator's entries (each folded with the any-remote set) after position {@code from}; returns the new count. */
    private int readOut(int d, int[] anyRemote, int[] keys, int[] sets, int from) {
        final int[] keySlots = accumulator.keySlots();
        final int[] setSlots = accumulator.setSlots();
        int n = from;
        for (int slot = 0; slot < keySlots.length; slot++) {
            if (keySlots[slot] != VerdictTable.EMPTY_KEY) {
                keys[n] = keySlots[slot];
                sets[n] = portSets.union(setSlots[slot], anyRemote[(d << 2) | (keySlots[slot] & 3)]);
                n++;
            }
        }
        return n;
    }

    /**
     * Adds to {@link #accumulator} the entries that the policies selecting {@code localId} give
     * in {@code direction}, for every remote identity ({@code only == null}, also filling
     * {@code anyRemote}) or only for the identities in {@code only}. Returns whether any policy
     * isolates the identity in that direction.
     */
    private boolean accumulate(IdentityKey.Pod local, int localId, Direction direction, BitSet only, int[] anyRemote,
                               Map<Policy, BitSet[][]> remoteCache) {
        final int d = direction.index();
        boolean isolated = false;
        for (PolicyEntry entry : selectingPolicies[localId]) {
            final Policy policy = entry.policy();
            if (!policy.types().contains(direction)) {
                continue;
            }
            isolated = true;
            final List<PolicyRule> rules = policy.rules(direction);
            for (int r = 0; r < rules.size(); r++) {
                final PolicyRule rule = rules.get(r);
                final boolean perRemoteNamed = direction == Direction.EGRESS && PeerMatching.hasNamedPort(rule);
                if (rule.peers().isEmpty()) {
                    if (only == null) {
                        // Ingress: the destination is this pod, so named ports resolve against it.
                        final int[] fixed = rulePorts.portSets(rule, direction == Direction.INGRESS ? local.namedPorts() : null);
                        for (int p = 0; p < Protocol.COUNT; p++) {
                            anyRemote[(d << 2) | p] = portSets.union(anyRemote[(d << 2) | p], fixed[p]);
                        }
                    }
                    if (perRemoteNamed) {
                        final BitSet remotes = only == null ? podIdentities : only;
                        for (int remote = remotes.nextSetBit(0); remote >= 0; remote = remotes.nextSetBit(remote + 1)) {
                            if (podIdentities.get(remote)) {
                                addEntries(remote, rulePorts.namedOnly(rule, ((IdentityKey.Pod) registry.key(remote)).namedPorts()));
                            }
                        }
                    }
                    continue;
                }
                final BitSet remotes = only == null ? remotesOf(policy, direction, r, remoteCache) : matching(policy, rule, only);
                if (remotes.isEmpty()) {
                    continue;
                }
                final int[] fixed = rulePorts.portSets(rule, direction == Direction.INGRESS ? local.namedPorts() : null);
                for (int remote = remotes.nextSetBit(0); remote >= 0; remote = remotes.nextSetBit(remote + 1)) {
                    addEntries(remote, fixed);
                    if (perRemoteNamed && podIdentities.get(remote)) {
                        addEntries(remote, rulePorts.namedOnly(rule, ((IdentityKey.Pod) registry.key(remote)).namedPorts()));
                    }
                }
            }
        }
        return isolated;
    }

    private BitSet matching(Policy policy, PolicyRule rule, BitSet candidates) {
        final BitSet remotes = new BitSet();
        for (int remote = candidates.nextSetBit(0); remote >= 0; remote = candidates.nextSetBit(remote + 1)) {
            final IdentityKey key = registry.key(remote);
            for (PolicyPeer peer : rule.peers()) {
                if (PeerMatching.matches(policy, peer, key)) {
                    remotes.set(remote);
                    break;
                }
            }
        }
        return remotes;
    }

    private void addEntries(int remote, int[] setsByProtocol) {
        for (int p = 0; p < Protocol.COUNT; p++) {
            if (setsByProtocol[p] != PortSetPool.NONE) {
                accumulator.merge(VerdictTable.key(remote, p), setsByProtocol[p], portSets);
            }
        }
    }

    /** The remote identities that match any peer of rule {@code r} (cached per policy for one snapshot). */
    private BitSet remotesOf(Policy policy, Direction direction, int r, Map<Policy, BitSet[][]> cache) {
        final BitSet[][] byRule = cache.computeIfAbsent(policy, p -> new BitSet[][] {
                new BitSet[p.ingress().size()], new BitSet[p.egress().size()]});
        BitSet remotes = byRule[direction.index()][r];
        if (remotes == null) {
            remotes = new BitSet();
            final List<PolicyPeer> peers = policy.rules(direction).get(r).peers();
            boolean anyPodPeer = false;
            boolean anyBlock = false;
            for (PolicyPeer peer : peers) {
                anyPodPeer |= peer.ipBlock() == null;
                anyBlock |= peer.ipBlock() != null;
            }
            final BitSet candidates = new BitSet();
            if (anyPodPeer) {
                candidates.or(podIdentities);
            }
            if (anyBlock) {
                candidates.or(addressIdentities);
            }
            for (int remote = candidates.nextSetBit(0); remote >= 0; remote = candidates.nextSetBit(remote + 1)) {
                final IdentityKey key = registry.key(remote);
                for (PolicyPeer peer : peers) {
                    if (PeerMatching.matches(policy, peer, key)) {
                        remotes.set(remote);
                        break;
                    }
                }
            }
            byRule[direction.index()][r] = remotes;
        }
        return remotes;
    }

    private void buildTries() {
        final List<PrefixTrie.Entry> entries = new ArrayList<>();
        for (Cidr prefix : prefixReferences.keySet()) {
            entries.add(new PrefixTrie.Entry(prefix, registry.find(new IdentityKey.CidrClass(prefix))));
        }
        for (Map.Entry<String, PodInfo> named : pods.entrySet()) {
            final PodInfo pod = named.getValue();
            final int id = podIdentity.get(named.getKey());
            final int ref = pod.local() ? id | PolicySnapshot.LOCAL_BIT : id;
            for (IpAddress address : pod.addresses()) {
                entries.add(new PrefixTrie.Entry(Cidr.host(address), ref));
            }
        }
        for (Map.Entry<IpAddress, Integer> host : hostIdentity.entrySet()) {
            entries.add(new PrefixTrie.Entry(Cidr.host(host.getKey()), host.getValue()));
        }
        ipv4 = PrefixTrie.build(false, world4, entries);
        ipv6 = PrefixTrie.build(true, world6, entries);
    }
}
