package io.isthmus.slowpath.reconcile;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.isthmus.dns.zone.EndpointSliceRecord;
import io.isthmus.dns.zone.PodRecord;
import io.isthmus.dns.zone.ServiceRecord;
import io.isthmus.fastpath.control.DesiredKind;
import io.isthmus.policy.model.PodInfo;
import io.isthmus.policy.model.Policy;
import io.isthmus.slowpath.k8s.DnsMapper;
import io.isthmus.slowpath.k8s.LbMapper;
import io.isthmus.slowpath.k8s.ObjectKeys;
import io.isthmus.slowpath.policy.KubernetesPolicyMapper;

import java.util.ArrayList;
import java.util.List;

/**
 * Every desired record of one Kubernetes object, through the one mapper per table library
 * ({@link LbMapper}, {@link KubernetesPolicyMapper}, {@link DnsMapper}):
 *
 * <pre>
 *   Service        → LB_SERVICE, DNS_SERVICE
 *   EndpointSlice  → LB_ENDPOINT_SLICE, DNS_ENDPOINT_SLICE
 *   Pod            → POLICY_POD (local when spec.nodeName is this node), DNS_POD
 *   Namespace      → POLICY_NAMESPACE
 *   NetworkPolicy  → POLICY
 * </pre>
 *
 * An object is all or nothing: if any mapper refuses it, {@link Result#records()} is null and
 * {@link Result#problems()} says why, so the reconciler keeps the object's last good records
 * rather than half of a new version. Warnings that skip a part (a bad address of a DNS record)
 * are reported but do not refuse the object.
 *
 * <p><b>Thread-safety:</b> immutable; any thread.
 */
public final class DesiredRecords {
    private final String nodeName;

    /** @param nodeName this node's name: its pods are the ones whose policy is enforced here */
    public DesiredRecords(String nodeName) {
        this.nodeName = nodeName;
    }

    /**
     * @param records  the object's records, or null when it was refused
     * @param problems why it was refused, or what was skipped; each a sentence naming the field
     */
    public record Result(List<DesiredRecord> records, List<String> problems) {
    }

    /** The kinds {@code object}'s type maps to (what to delete when the object goes). */
    public static List<DesiredKind> kindsOf(Class<? extends HasMetadata> type) {
        if (type == Service.class) {
            return List.of(DesiredKind.LB_SERVICE, DesiredKind.DNS_SERVICE);
        } else if (type == EndpointSlice.class) {
            return List.of(DesiredKind.LB_ENDPOINT_SLICE, DesiredKind.DNS_ENDPOINT_SLICE);
        } else if (type == Pod.class) {
            return List.of(DesiredKind.POLICY_POD, DesiredKind.DNS_POD);
        } else if (type == Namespace.class) {
            return List.of(DesiredKind.POLICY_NAMESPACE);
        } else if (type == NetworkPolicy.class) {
            return List.of(DesiredKind.POLICY);
        }
        return List.of();
    }

    public Result of(HasMetadata object) {
        final List<String> refusals = new ArrayList<>();
        final List<String> warnings = new ArrayList<>();
        final List<DesiredRecord> records = new ArrayList<>();
        switch (object) {
            case Service service -> {
                final String key = ObjectKeys.namespaced(service);
                final io.isthmus.lb.model.Service lb = LbMapper.service(service, refusals);
                final ServiceRecord dns = DnsMapper.service(service, warnings);
                add(records, DesiredKind.LB_SERVICE, key, lb);
                add(records, DesiredKind.DNS_SERVICE, key, dns);
            }
            case EndpointSlice slice -> {
                final String key = ObjectKeys.namespaced(slice);
                final io.isthmus.lb.model.EndpointSlice lb = LbMapper.slice(slice, refusals);
                final EndpointSliceRecord dns = DnsMapper.slice(slice, warnings);
                add(records, DesiredKind.LB_ENDPOINT_SLICE, key, lb);
                add(records, DesiredKind.DNS_ENDPOINT_SLICE, key, dns);
            }
            case Pod pod -> {
                final String key = ObjectKeys.namespaced(pod);
                final boolean local = pod.getSpec() != null && nodeName.equals(pod.getSpec().getNodeName());
                final PodInfo policy = KubernetesPolicyMapper.pod(pod, local, refusals);
                final PodRecord dns = DnsMapper.pod(pod, warnings);
                add(records, DesiredKind.POLICY_POD, key, policy);
                add(records, DesiredKind.DNS_POD, key, dns);
            }
            case Namespace namespace ->
                    add(records, DesiredKind.POLICY_NAMESPACE, namespace.getMetadata().getName(), KubernetesPolicyMapper.namespace(namespace));
            case NetworkPolicy networkPolicy -> {
                final Policy policy = KubernetesPolicyMapper.policy(networkPolicy, refusals);
                add(records, DesiredKind.POLICY, ObjectKeys.namespaced(networkPolicy), policy);
            }
            default -> {
            }
        }
        if (!refusals.isEmpty()) {
            refusals.addAll(warnings);
            return new Result(null, List.copyOf(refusals));
        }
        return new Result(List.copyOf(records), List.copyOf(warnings));
    }

    private static void add(List<DesiredRecord> records, DesiredKind kind, String key, Object payload) {
        if (payload != null) {
            records.add(new DesiredRecord(kind, key, payload));
        }
    }
}
