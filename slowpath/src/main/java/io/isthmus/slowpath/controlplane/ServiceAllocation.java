package io.isthmus.slowpath.controlplane;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.ServiceSpec;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.isthmus.slowpath.apiserver.Admission;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the API server's Service registry does on a write, for the embedded server: defaults
 * ({@code type: ClusterIP}, port protocol TCP, {@code targetPort} = {@code port},
 * {@code sessionAffinity: None}, traffic policies Cluster, {@code ipFamilies: [IPv4]}), a cluster
 * IP for every Service that is not headless or ExternalName, and a node port for every port of a
 * NodePort or LoadBalancer Service that has none. Requested addresses and ports are honoured
 * when free and in range, else the write is refused with 422 as the real server does. A cluster
 * IP cannot change on update; node ports are kept per (port, protocol). Everything is released
 * when the Service is deleted (or when its create failed).
 *
 * <p>Only creates, updates and the patches the server turns into updates (strategic merge,
 * server-side apply) pass here; a JSON or JSON-merge patch is stored as sent.
 *
 * <p><b>Thread-safety:</b> called under the embedded API server's write lock, one request at a time.
 */
public final class ServiceAllocation implements Admission {
    private static final Pattern COLLECTION = Pattern.compile("^/api/v1/namespaces/([^/]+)/services$");
    private static final Pattern ITEM = Pattern.compile("^/api/v1/namespaces/([^/]+)/services/([^/]+)$");

    private record Held(String clusterIp, Map<String, Integer> nodePorts) {
    }

    private final ClusterIpAllocator clusterIps;
    private final NodePortAllocator nodePorts;
    private final Map<String, Held> held = new HashMap<>();
    /** What the request in flight took, released if the server does not store it. */
    private String pendingKey;
    private Held pendingBefore;

    public ServiceAllocation(ClusterIpAllocator clusterIps, NodePortAllocator nodePorts) {
        this.clusterIps = clusterIps;
        this.nodePorts = nodePorts;
    }

    /** The cluster's Service range. */
    public static final String DEFAULT_SERVICE_CIDR = "10.96.0.0/12";
    /** The Service that is the cluster DNS, the one that may have its address. */
    public static final String CLUSTER_DNS_SERVICE = "kube-system/kube-dns";

    public static ServiceAllocation defaults() {
        return new ServiceAllocation(new ClusterIpAllocator(DEFAULT_SERVICE_CIDR),
                new NodePortAllocator(NodePortAllocator.DEFAULT_FIRST, NodePortAllocator.DEFAULT_LAST));
    }

    /**
     * The defaults, with the cluster DNS address {@code clusterDnsIp} reserved (when it is in the
     * range): never handed to a Service created without a clusterIP, and refused to any Service that
     * asks for it but {@value #CLUSTER_DNS_SERVICE}.
     */
    public static ServiceAllocation withClusterDns(String clusterDnsIp) {
        final ClusterIpAllocator clusterIps = new ClusterIpAllocator(DEFAULT_SERVICE_CIDR);
        if (clusterIps.inRange(clusterDnsIp)) {
            clusterIps.reserveFor(clusterDnsIp, "the cluster DNS", java.util.Set.of(CLUSTER_DNS_SERVICE));
        }
        return new ServiceAllocation(clusterIps, new NodePortAllocator(NodePortAllocator.DEFAULT_FIRST, NodePortAllocator.DEFAULT_LAST));
    }

    @Override
    public String admit(String method, String path, String body) {
        pendingKey = null;
        final String key;
        final Matcher collection = COLLECTION.matcher(path);
        final Matcher item = ITEM.matcher(path);
        if ("POST".equals(method) && collection.matches()) {
            final Service service = Serialization.unmarshal(body, Service.class);
            key = collection.group(1) + "/" + service.getMetadata().getName();
            if (held.containsKey(key)) {
                return body; // the server answers 409 AlreadyExists
            }
            allocate(key, service, null);
            return Serialization.asJson(service);
        } else if ("PUT".equals(method) && item.matches()) {
            final Service service = Serialization.unmarshal(body, Service.class);
            key = item.group(1) + "/" + item.group(2);
            allocate(key, service, held.get(key));
            return Serialization.asJson(service);
        }
        return body;
    }

    @Override
    public void completed(String method, String path, int code, String responseBody) {
        final Matcher item = ITEM.matcher(path);
        if ("DELETE".equals(method) && item.matches() && code < 300) {
            release(held.remove(item.group(1) + "/" + item.group(2)), null);
            return;
        }
        if (pendingKey == null) {
            return;
        }
        final Held now = held.get(pendingKey);
        if (code >= 300) { // not stored: give back what this request took, keep what it had
            release(now, pendingBefore);
            if (pendingBefore == null) {
                held.remove(pendingKey);
            } else {
                held.put(pendingKey, pendingBefore);
            }
        } else {
            release(pendingBefore, now); // an update may have dropped node ports
        }
        pendingKey = null;
        pendingBefore = null;
    }

    private void allocate(String key, Service service, Held before) {
        if (service.getSpec() == null) {
            service.setSpec(new ServiceSpec());
        }
        final ServiceSpec spec = service.getSpec();
        defaults(spec);
        String clusterIp = null;
        final boolean needsClusterIp = !"ExternalName".equals(spec.getType()) && !"None".equals(spec.getClusterIP());
        final Map<String, Integer> ports = new HashMap<>();
        final List<Runnable> undo = new ArrayList<>();
        try {
            if (needsClusterIp) {
                final String requested = spec.getClusterIP() == null || spec.getClusterIP().isEmpty() ? null : spec.getClusterIP();
                if (before != null && before.clusterIp() != null) {
                    if (requested != null && !requested.equals(before.clusterIp())) {
                        throw new Refused(422, "Service \"" + service.getMetadata().getName() + "\" is invalid: spec.clusterIPs[0]: Invalid value: \""
                                + requested + "\": field is immutable");
                    }
                    clusterIp = before.clusterIp();
                } else if (requested != null) {
                    final String refusal = clusterIps.reserve(requested, key);
                    if (refusal != null) {
                        throw new Refused(422, "Service \"" + service.getMetadata().getName() + "\" is invalid: spec.clusterIPs: Invalid value: \""
                                + requested + "\": failed to allocate IP " + requested + ": " + refusal);
                    }
                    clusterIp = requested;
                    undo.add(() -> clusterIps.release(requested));
                } else {
                    clusterIp = clusterIps.allocate();
                    if (clusterIp == null) {
                        throw new Refused(422, "Service \"" + service.getMetadata().getName() + "\" is invalid: the service IP range is full");
                    }
                    final String given = clusterIp;
                    undo.add(() -> clusterIps.release(given));
                }
                spec.setClusterIP(clusterIp);
                spec.setClusterIPs(List.of(clusterIp));
            } else if ("None".equals(spec.getClusterIP())) {
                spec.setClusterIPs(List.of("None"));
            }
            if ("NodePort".equals(spec.getType()) || "LoadBalancer".equals(spec.getType())) {
                for (ServicePort port : spec.getPorts()) {
                    final String portKey = port.getPort() + "/" + port.getProtocol();
                    final Integer previous = before == null ? null : before.nodePorts().get(portKey);
                    Integer nodePort = port.getNodePort();
                    if (nodePort == null || nodePort == 0) {
                        if (previous != null) {
                            nodePort = previous;
                        } else {
                            nodePort = nodePorts.allocate();
                            if (nodePort == 0) {
                                throw new Refused(422, "Service \"" + service.getMetadata().getName() + "\" is invalid: the node port range is full");
                            }
                            final int given = nodePort;
                            undo.add(() -> nodePorts.release(given));
                        }
                    } else if (!Objects.equals(nodePort, previous) && !(before != null && before.nodePorts().containsValue(nodePort))) {
                        final String refusal = nodePorts.reserve(nodePort);
                        if (refusal != null) {
                            throw new Refused(422, "Service \"" + service.getMetadata().getName() + "\" is invalid: spec.ports[].nodePort: Invalid value: "
                                    + nodePort + ": " + refusal);
                        }
                        final int given = nodePort;
                        undo.add(() -> nodePorts.release(given));
                    }
                    port.setNodePort(nodePort);
                    ports.put(portKey, nodePort);
                }
            }
        } catch (Refused refused) {
            undo.forEach(Runnable::run);
            throw refused;
        }
        pendingKey = key;
        pendingBefore = before;
        held.put(key, new Held(clusterIp, ports));
    }

    /** Releases what {@code gone} holds and {@code kept} does not. */
    private void release(Held gone, Held kept) {
        if (gone == null) {
            return;
        }
        if (gone.clusterIp() != null && (kept == null || !gone.clusterIp().equals(kept.clusterIp()))) {
            clusterIps.release(gone.clusterIp());
        }
        for (int port : gone.nodePorts().values()) {
            if (kept == null || !kept.nodePorts().containsValue(port)) {
                nodePorts.release(port);
            }
        }
    }

    private static void defaults(ServiceSpec spec) {
        if (spec.getType() == null) {
            spec.setType("ClusterIP");
        }
        if (spec.getPorts() == null) {
            spec.setPorts(new ArrayList<>());
        }
        for (ServicePort port : spec.getPorts()) {
            if (port.getProtocol() == null) {
                port.setProtocol("TCP");
            }
            if (port.getTargetPort() == null && port.getPort() != null) {
                port.setTargetPort(new IntOrString(port.getPort()));
            }
        }
        if ("ExternalName".equals(spec.getType())) {
            return;
        }
        if (spec.getSessionAffinity() == null) {
            spec.setSessionAffinity("None");
        }
        if (spec.getInternalTrafficPolicy() == null) {
            spec.setInternalTrafficPolicy("Cluster");
        }
        if (spec.getExternalTrafficPolicy() == null && ("NodePort".equals(spec.getType()) || "LoadBalancer".equals(spec.getType()))) {
            spec.setExternalTrafficPolicy("Cluster");
        }
        if (spec.getIpFamilies() == null || spec.getIpFamilies().isEmpty()) {
            spec.setIpFamilies(List.of("IPv4"));
        }
        if (spec.getIpFamilyPolicy() == null) {
            spec.setIpFamilyPolicy("SingleStack");
        }
    }

    /** Cluster IPs held now (for tests and status). */
    public int clusterIpsHeld() {
        return clusterIps.heldCount();
    }

    public int nodePortsHeld() {
        return nodePorts.heldCount();
    }
}
