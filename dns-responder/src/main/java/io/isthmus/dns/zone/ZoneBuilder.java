package io.isthmus.dns.zone;

import io.isthmus.dns.wire.DomainNames;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Builds the cluster zone from Service, EndpointSlice and Pod records following the Kubernetes
 * DNS-Based Service Discovery specification, schema 1.1.0:
 * <ul>
 *   <li>{@code dns-version.<zone>} TXT {@code "1.1.0"}; SOA and NS at the apex;</li>
 *   <li>ClusterIP Service: A/AAAA {@code <svc>.<ns>.svc.<zone>} to each cluster IP, SRV
 *       {@code _<port>._<proto>.<svc>...} per named port, PTR for each cluster IP;</li>
 *   <li>headless Service: A/AAAA to each ready endpoint (all endpoints with
 *       publishNotReadyAddresses), {@code <hostname>.<svc>...} per endpoint (the endpoint's
 *       hostname, else its first address with dashes), one SRV per endpoint and named port, PTR
 *       per endpoint address; no ready endpoint means the name does not exist (NXDOMAIN);</li>
 *   <li>ExternalName Service: CNAME;</li>
 *   <li>Pod with hostname and subdomain naming a headless Service of its namespace:
 *       {@code <hostname>.<subdomain>.<ns>.svc.<zone>} A/AAAA (when no endpoint already gave it).</li>
 * </ul>
 * A record that cannot be published (a label over 63 bytes, an ExternalName that is not a domain
 * name) is skipped and explained in {@link Zone#warnings()}.
 *
 * <p>Thread-safety: confined to one thread; the {@link Zone} it builds is immutable.
 */
public final class ZoneBuilder {
    private static final int SRV_PRIORITY = 0;
    private static final int SRV_WEIGHT = 100;

    private final ZoneSettings settings;
    private final String zone;
    private final List<ServiceRecord> services = new ArrayList<>();
    private final Map<String, List<EndpointSliceRecord>> slicesByService = new HashMap<>();
    private final List<PodRecord> pods = new ArrayList<>();
    private final List<String> warnings = new ArrayList<>();
    private final Map<String, NameRecords> names = new TreeMap<>();

    public ZoneBuilder(ZoneSettings settings) {
        this.settings = settings;
        this.zone = DomainNames.canonical(settings.domain());
        DomainNames.toWire(zone); // refuses a malformed domain now, with its reason
    }

    public ZoneBuilder addService(ServiceRecord service) {
        services.add(service);
        return this;
    }

    public ZoneBuilder addEndpointSlice(EndpointSliceRecord slice) {
        slicesByService.computeIfAbsent(key(slice.namespace(), slice.serviceName()), k -> new ArrayList<>()).add(slice);
        return this;
    }

    public ZoneBuilder addPod(PodRecord pod) {
        pods.add(pod);
        return this;
    }

    public Zone build() {
        final NameRecords apex = node(zone, zone);
        apex.apex = true;
        node("dns-version." + zone, zone).txt.add(ZoneSettings.SCHEMA_VERSION);
        final Map<String, ServiceRecord> headless = new LinkedHashMap<>();
        for (ServiceRecord service : services) {
            final String base = lower(service.name()) + "." + lower(service.namespace()) + ".svc." + zone;
            if (!valid(base, "Service " + service.describe())) {
                continue;
            }
            switch (service.kind()) {
                case CLUSTER_IP -> addClusterIp(service, base);
                case EXTERNAL_NAME -> addExternalName(service, base);
                case HEADLESS -> {
                    addHeadless(service, base);
                    headless.put(key(service.namespace(), service.name()), service);
                }
            }
        }
        addPodHostnames(headless);
        return ZoneCompiler.compile(settings, zone, names, warnings);
    }

    private void addClusterIp(ServiceRecord service, String base) {
        if (service.clusterIps().isEmpty()) {
            warnings.add("Service " + service.describe() + ": ClusterIP service without a cluster IP, not published");
            return;
        }
        final NameRecords node = node(base, zone);
        for (InetAddress ip : service.clusterIps()) {
            node.addAddress(ip);
            node(ReverseNames.of(ip), ReverseNames.apexOf(ip)).ptr.add(base);
        }
        for (ServicePort port : service.ports()) {
            final String owner = srvOwner(port, base);
            if (owner != null && valid(owner, "Service " + service.describe() + " port " + port.name())) {
                node(owner, zone).srv.add(new NameRecords.Srv(SRV_PRIORITY, SRV_WEIGHT, port.port(), base));
            }
        }
    }

    private void addExternalName(ServiceRecord service, String base) {
        final String target = DomainNames.canonical(service.externalName());
        if (target.isEmpty()) {
            warnings.add("Service " + service.describe() + ": ExternalName service without externalName, not published");
            return;
        }
        if (!valid(target, "Service " + service.describe() + " externalName")) {
            return;
        }
        node(base, zone).cname = target;
    }

    private void addHeadless(ServiceRecord service, String base) {
        for (EndpointSliceRecord slice : slicesByService.getOrDefault(key(service.namespace(), service.name()), List.of())) {
            for (EndpointRecord endpoint : slice.endpoints()) {
                if (endpoint.addresses().isEmpty() || !(endpoint.ready() || service.publishNotReadyAddresses())) {
                    continue;
                }
                final String hostname = endpoint.hostname().isEmpty()
                        ? endpointId(endpoint.addresses().getFirst()) : lower(endpoint.hostname());
                final String hostName = hostname + "." + base;
                if (!valid(hostName, "Service " + service.describe() + " endpoint " + hostname)) {
                    continue;
                }
                final NameRecords host = node(hostName, zone);
                final NameRecords serviceNode = node(base, zone);
                for (InetAddress address : endpoint.addresses()) {
                    serviceNode.addAddress(address);
                    host.addAddress(address);
                    node(ReverseNames.of(address), ReverseNames.apexOf(address)).ptr.add(hostName);
                }
                for (ServicePort port : slice.ports()) {
                    final String owner = srvOwner(port, base);
                    if (owner != null && valid(owner, "Service " + service.describe() + " port " + port.name())) {
                        node(owner, zone).srv.add(new NameRecords.Srv(SRV_PRIORITY, SRV_WEIGHT, port.port(), hostName));
                    }
                }
            }
        }
    }

    private void addPodHostnames(Map<String, ServiceRecord> headless) {
        for (PodRecord pod : pods) {
            if (pod.hostname().isEmpty() || pod.subdomain().isEmpty() || pod.ips().isEmpty()) {
                continue;
            }
            final ServiceRecord service = headless.get(key(pod.namespace(), pod.subdomain()));
            if (service == null || !(pod.ready() || service.publishNotReadyAddresses())) {
                continue;
            }
            final String hostName = lower(pod.hostname()) + "." + lower(pod.subdomain()) + "." + lower(pod.namespace()) + ".svc." + zone;
            if (!valid(hostName, "Pod " + pod.namespace() + "/" + pod.name())) {
                continue;
            }
            final NameRecords existing = names.get(hostName);
            if (existing != null && existing.hasAddresses()) {
                continue; // the EndpointSlice already published this hostname
            }
            final NameRecords host = node(hostName, zone);
            for (InetAddress ip : pod.ips()) {
                host.addAddress(ip);
            }
        }
    }

    /** {@code _<port>._<proto>.<base>}, or null for an unnamed port. */
    private static String srvOwner(ServicePort port, String base) {
        return port.name().isEmpty() ? null : "_" + lower(port.name()) + "._" + lower(port.protocol()) + "." + base;
    }

    /** The system-assigned identifier of an endpoint without hostname: its address with dashes. */
    static String endpointId(InetAddress address) {
        return address.getHostAddress().replace('.', '-').replace(':', '-').replace('%', '-');
    }

    /** Gets or creates the records of a name; in the cluster zone its ancestors down to the apex become empty non-terminals. */
    private NameRecords node(String name, String apex) {
        NameRecords node = names.get(name);
        if (node == null) {
            node = new NameRecords(name, apex);
            names.put(name, node);
            // Reverse trees get no empty non-terminals: we answer only for the addresses we know.
            String parent = name;
            while (apex.equals(zone) && parent.endsWith("." + apex)) {
                parent = parent.substring(parent.indexOf('.') + 1);
                names.putIfAbsent(parent, new NameRecords(parent, apex));
            }
        }
        return node;
    }

    private boolean valid(String name, String object) {
        try {
            DomainNames.toWire(name);
            return true;
        } catch (IllegalArgumentException e) {
            warnings.add(object + ": " + e.getMessage() + ", not published");
            return false;
        }
    }

    private static String lower(String text) {
        return text.toLowerCase(Locale.ROOT);
    }

    private static String key(String namespace, String name) {
        return lower(namespace) + "/" + lower(name);
    }
}
