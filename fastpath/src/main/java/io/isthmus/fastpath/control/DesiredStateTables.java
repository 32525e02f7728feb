package io.isthmus.fastpath.control;

import io.isthmus.dns.zone.EndpointSliceRecord;
import io.isthmus.dns.zone.PodRecord;
import io.isthmus.dns.zone.ServiceRecord;
import io.isthmus.dns.zone.Zone;
import io.isthmus.fastpath.control.compile.AppliedChanges;
import io.isthmus.fastpath.control.compile.DnsDesiredState;
import io.isthmus.fastpath.control.compile.LbDesiredState;
import io.isthmus.fastpath.control.compile.NodeSettings;
import io.isthmus.fastpath.control.compile.PolicyDesiredState;
import io.isthmus.lb.compile.Compilation;
import io.isthmus.lb.compile.NodeContext;
import io.isthmus.lb.model.EndpointSlice;
import io.isthmus.lb.model.Service;
import io.isthmus.policy.compile.PolicyCompiler;
import io.isthmus.policy.compile.PolicySnapshot;
import io.isthmus.policy.model.IpAddress;
import io.isthmus.policy.model.NamespaceInfo;
import io.isthmus.policy.model.PodInfo;
import io.isthmus.policy.model.Policy;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The fast path's desired state and the compilers that turn it into the table generations of
 * {@link FastpathTables}: the desired-state half of {@link FastpathControl} ({@link #beginSync},
 * {@link #endSync}, {@link #upsert}, {@link #delete}) plus {@link #applyPending()}, which
 * compiles what changed and publishes it.
 *
 * <pre>
 *   slow path ──upsert/delete──▶ desired records by kind and key ──applyPending()──▶ compilers
 *                                  LB_*      → ServiceCompiler  (changed Services only)         ─▶ services
 *                                  POLICY_*  → PolicyCompiler   (incremental)                   ─▶ policies
 *                                  DNS_*     → ZoneBuilder      (whole zone, next serial)        ─▶ dnsZone
 * </pre>
 *
 * A burst of changes costs one compilation when the control agent drains every command it has,
 * then calls {@link #applyPending()} once (not after each record: at 10,000 Services even an
 * incremental generation reassembles the whole table, milliseconds each). An upsert of a record equal to the one held changes nothing
 * (a resync after a reconnect recompiles only what really moved).
 *
 * <p><b>Resynchronisation.</b> Between {@link #beginSync(long)} and {@link #endSync(long)} of the
 * same epoch, every upserted key is noted; {@code endSync} deletes the records of every kind that
 * were not. A newer {@code beginSync} abandons an older sync; an {@code endSync} of another epoch
 * is ignored.
 *
 * <p><b>Thread-safety:</b> none. One thread (the fast path's control agent) calls every method;
 * the tables it publishes are immutable and read by workers through {@link Published}.
 */
public final class DesiredStateTables implements DesiredState {
    private final FastpathTables tables;
    private final Map<DesiredKind, Map<String, Object>> records = new EnumMap<>(DesiredKind.class);
    private final Map<DesiredKind, Set<String>> seenSinceBeginSync = new EnumMap<>(DesiredKind.class);
    private final LbDesiredState lb;
    private final PolicyDesiredState policy;
    private final DnsDesiredState dns;
    private long syncEpoch = -1;

    public DesiredStateTables(FastpathTables tables, NodeSettings node) {
        this.tables = Objects.requireNonNull(tables, "tables");
        this.lb = new LbDesiredState(new NodeContext(node.nodeName(),
                node.nodeAddresses().stream().map(io.isthmus.lb.ip.IpAddress::parse).toList(), NodeContext.DEFAULT_PROXY_NAME));
        final List<IpAddress> policyAddresses = new ArrayList<>();
        for (String address : node.nodeAddresses()) {
            final IpAddress parsed = IpAddress.parse(address);
            if (parsed == null) {
                throw new IllegalArgumentException("node address '" + address + "' is not an IP address");
            }
            policyAddresses.add(parsed);
        }
        this.policy = new PolicyDesiredState(policyAddresses);
        this.dns = new DnsDesiredState(node.zone());
        for (DesiredKind kind : DesiredKind.values()) {
            records.put(kind, new HashMap<>());
        }
    }

    @Override
    public void beginSync(long epoch) {
        syncEpoch = epoch;
        seenSinceBeginSync.clear();
        for (DesiredKind kind : DesiredKind.values()) {
            seenSinceBeginSync.put(kind, new HashSet<>());
        }
    }

    /** Deletes every record not upserted since {@code beginSync(epoch)}; ignored for another epoch. */
    @Override
    public void endSync(long epoch) {
        if (epoch != syncEpoch) {
            return;
        }
        for (DesiredKind kind : DesiredKind.values()) {
            final Set<String> seen = seenSinceBeginSync.get(kind);
            for (String key : new ArrayList<>(records.get(kind).keySet())) {
                if (!seen.contains(key)) {
                    delete(kind, key);
                }
            }
        }
        syncEpoch = -1;
        seenSinceBeginSync.clear();
    }

    /**
     * Adds or replaces record {@code key} of {@code kind}.
     *
     * @throws IllegalArgumentException when {@code payload} is not of {@code kind.payloadType()}
     *                                  (a protocol error of the sender, not bad Kubernetes input)
     */
    @Override
    public void upsert(DesiredKind kind, String key, Object payload) {
        if (!kind.payloadType().isInstance(payload)) {
            throw new IllegalArgumentException(kind + " " + key + ": payload " + (payload == null ? "null" : payload.getClass().getName())
                    + " is not a " + kind.payloadType().getName());
        }
        if (syncEpoch >= 0) {
            seenSinceBeginSync.get(kind).add(key);
        }
        if (payload.equals(records.get(kind).put(key, payload))) {
            return;
        }
        switch (kind) {
            case LB_SERVICE -> lb.putService(key, (Service) payload);
            case LB_ENDPOINT_SLICE -> lb.putSlice(key, (EndpointSlice) payload);
            case POLICY_NAMESPACE -> policy.putNamespace(key, (NamespaceInfo) payload);
            case POLICY_POD -> policy.putPod(key, (PodInfo) payload);
            case POLICY -> policy.putPolicy(key, (Policy) payload);
            case DNS_SERVICE -> dns.putService(key, (ServiceRecord) payload);
            case DNS_ENDPOINT_SLICE -> dns.putSlice(key, (EndpointSliceRecord) payload);
            case DNS_POD -> dns.putPod(key, (PodRecord) payload);
        }
    }

    @Override
    public void delete(DesiredKind kind, String key) {
        if (records.get(kind).remove(key) == null) {
            return;
        }
        switch (kind) {
            case LB_SERVICE -> lb.removeService(key);
            case LB_ENDPOINT_SLICE -> lb.removeSlice(key);
            case POLICY_NAMESPACE -> policy.removeNamespace(key);
            case POLICY_POD -> policy.removePod(key);
            case POLICY -> policy.removePolicy(key);
            case DNS_SERVICE -> dns.removeService(key);
            case DNS_ENDPOINT_SLICE -> dns.removeSlice(key);
            case DNS_POD -> dns.removePod(key);
        }
    }

    /** Whether {@link #applyPending()} has anything to compile. */
    public boolean hasPending() {
        return lb.dirty() || policy.dirty() || dns.dirty();
    }

    /**
     * Compiles every table whose desired records changed since the last call and publishes the new
     * generations (each table on its own; a worker may see a new ServiceTable one batch before the
     * matching PolicySnapshot). Returns what was published.
     */
    public AppliedChanges applyPending() {
        if (!hasPending()) {
            return AppliedChanges.NOTHING;
        }
        final long startNs = System.nanoTime();
        final List<String> warnings = new ArrayList<>();
        long serviceGeneration = 0;
        long policyGeneration = 0;
        long zoneSerial = 0;
        Compilation compilation = null;
        if (lb.dirty()) {
            compilation = lb.compile();
            warnings.addAll(compilation.warnings());
            tables.services().publish(compilation.table());
            serviceGeneration = compilation.table().generation();
        }
        if (policy.dirty()) {
            final PolicySnapshot snapshot = policy.snapshot();
            tables.policies().publish(snapshot);
            policyGeneration = snapshot.generation();
        }
        if (dns.dirty()) {
            final Zone zone = dns.build();
            warnings.addAll(zone.warnings());
            tables.dnsZone().publish(zone);
            zoneSerial = zone.settings().serial();
        }
        return new AppliedChanges(serviceGeneration, policyGeneration, zoneSerial, compilation, warnings, System.nanoTime() - startNs);
    }

    /** The record held for {@code key} of {@code kind}, or null. */
    public Object record(DesiredKind kind, String key) {
        return records.get(kind).get(key);
    }

    /** How many records of {@code kind} are held. */
    public int recordCount(DesiredKind kind) {
        return records.get(kind).size();
    }

    /** The policy compiler, for {@code PolicyCompiler.dump} of the published snapshot (owning thread only). */
    public PolicyCompiler policyCompiler() {
        return policy.compiler();
    }

    public FastpathTables tables() {
        return tables;
    }
}
