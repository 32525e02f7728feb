package io.isthmus.slowpath.apiserver;

import io.fabric8.kubernetes.api.model.APIGroup;
import io.fabric8.kubernetes.api.model.APIGroupBuilder;
import io.fabric8.kubernetes.api.model.APIGroupList;
import io.fabric8.kubernetes.api.model.APIGroupListBuilder;
import io.fabric8.kubernetes.api.model.APIResource;
import io.fabric8.kubernetes.api.model.APIResourceBuilder;
import io.fabric8.kubernetes.api.model.APIResourceList;
import io.fabric8.kubernetes.api.model.APIResourceListBuilder;
import io.fabric8.kubernetes.api.model.APIVersions;
import io.fabric8.kubernetes.api.model.APIVersionsBuilder;
import io.fabric8.kubernetes.api.model.GroupVersionForDiscoveryBuilder;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The resource types the embedded API server announces in discovery ({@code /api},
 * {@code /apis}, {@code /api/v1}, {@code /apis/GROUP/VERSION}), with the short names and verbs
 * kubectl resolves {@code kubectl get svc} with. Storage itself is generic (fabric8's CRUD
 * dispatcher keeps any path); this list only decides what kubectl can name.
 *
 * <p><b>Thread-safety:</b> immutable; any thread.
 */
public final class ApiResources {
    private static final List<String> VERBS = List.of("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch");

    /** One resource type: {@code plural} in {@code groupVersion} ("v1" for the core group). */
    public record Type(String groupVersion, String plural, String singular, String kind, boolean namespaced, List<String> shortNames) {
    }

    /** Every type the embedded server serves, by group version (the core group first). */
    public static final Map<String, List<Type>> BY_GROUP_VERSION = byGroupVersion(List.of(
            new Type("v1", "namespaces", "namespace", "Namespace", false, List.of("ns")),
            new Type("v1", "nodes", "node", "Node", false, List.of("no")),
            new Type("v1", "pods", "pod", "Pod", true, List.of("po")),
            new Type("v1", "services", "service", "Service", true, List.of("svc")),
            new Type("v1", "endpoints", "endpoints", "Endpoints", true, List.of("ep")),
            new Type("v1", "configmaps", "configmap", "ConfigMap", true, List.of("cm")),
            new Type("v1", "secrets", "secret", "Secret", true, List.of()),
            new Type("v1", "serviceaccounts", "serviceaccount", "ServiceAccount", true, List.of("sa")),
            new Type("v1", "events", "event", "Event", true, List.of("ev")),
            new Type("discovery.k8s.io/v1", "endpointslices", "endpointslice", "EndpointSlice", true, List.of()),
            new Type("networking.k8s.io/v1", "networkpolicies", "networkpolicy", "NetworkPolicy", true, List.of("netpol")),
            new Type("networking.k8s.io/v1", "ingresses", "ingress", "Ingress", true, List.of("ing")),
            new Type("networking.k8s.io/v1", "ingressclasses", "ingressclass", "IngressClass", false, List.of()),
            new Type("apps/v1", "deployments", "deployment", "Deployment", true, List.of("deploy"))));

    private ApiResources() {
    }

    private static Map<String, List<Type>> byGroupVersion(List<Type> types) {
        final Map<String, List<Type>> out = new LinkedHashMap<>();
        for (Type type : types) {
            out.computeIfAbsent(type.groupVersion(), k -> new ArrayList<>()).add(type);
        }
        return out;
    }

    /** {@code GET /api}. */
    public static APIVersions coreVersions(String serverAddress) {
        return new APIVersionsBuilder().withVersions("v1")
                .addNewServerAddressByClientCIDR("0.0.0.0/0", serverAddress).build();
    }

    /** {@code GET /apis}: every named group with its one version. */
    public static APIGroupList groups() {
        final List<APIGroup> groups = new ArrayList<>();
        for (String groupVersion : BY_GROUP_VERSION.keySet()) {
            if (!groupVersion.contains("/")) {
                continue;
            }
            final String group = groupVersion.substring(0, groupVersion.indexOf('/'));
            final String version = groupVersion.substring(groupVersion.indexOf('/') + 1);
            final var discovered = new GroupVersionForDiscoveryBuilder().withGroupVersion(groupVersion).withVersion(version).build();
            groups.add(new APIGroupBuilder().withName(group).withVersions(discovered).withPreferredVersion(discovered).build());
        }
        return new APIGroupListBuilder().withGroups(groups).build();
    }

    /** {@code GET /api/v1} or {@code /apis/GROUP/VERSION}; null for a group version we do not serve. */
    public static APIResourceList resources(String groupVersion) {
        final List<Type> types = BY_GROUP_VERSION.get(groupVersion);
        if (types == null) {
            return null;
        }
        final List<APIResource> resources = new ArrayList<>();
        for (Type type : types) {
            resources.add(new APIResourceBuilder().withName(type.plural()).withSingularName(type.singular()).withKind(type.kind())
                    .withNamespaced(type.namespaced()).withShortNames(type.shortNames()).withVerbs(VERBS).build());
            if (type.kind().equals("Pod") || type.kind().equals("Service")) {
                resources.add(new APIResourceBuilder().withName(type.plural() + "/status").withSingularName("").withKind(type.kind())
                        .withNamespaced(true).withVerbs("get", "patch", "update").build());
            }
        }
        return new APIResourceListBuilder().withGroupVersion(groupVersion).withResources(resources).build();
    }
}
