package io.isthmus.dns.zone;

import java.net.InetAddress;
import java.util.List;

/**
 * What the zone needs of a Service.
 *
 * @param namespace                the namespace
 * @param name                     the Service name
 * @param kind                     cluster IP, headless or external name
 * @param clusterIps               the cluster IPs (IPv4 and/or IPv6; empty unless {@code CLUSTER_IP})
 * @param ports                    the Service ports (named ones give SRV records for {@code CLUSTER_IP})
 * @param externalName             the CNAME target for {@code EXTERNAL_NAME}, else empty
 * @param publishNotReadyAddresses headless: not-ready endpoints are published too
 */
public record ServiceRecord(String namespace, String name, ServiceKind kind, List<InetAddress> clusterIps,
                            List<ServicePort> ports, String externalName, boolean publishNotReadyAddresses) {
    public ServiceRecord {
        clusterIps = List.copyOf(clusterIps);
        ports = List.copyOf(ports);
        externalName = externalName == null ? "" : externalName;
    }

    public static ServiceRecord clusterIp(String namespace, String name, List<InetAddress> clusterIps, List<ServicePort> ports) {
        return new ServiceRecord(namespace, name, ServiceKind.CLUSTER_IP, clusterIps, ports, "", false);
    }

    public static ServiceRecord headless(String namespace, String name, List<ServicePort> ports, boolean publishNotReadyAddresses) {
        return new ServiceRecord(namespace, name, ServiceKind.HEADLESS, List.of(), ports, "", publishNotReadyAddresses);
    }

    public static ServiceRecord externalName(String namespace, String name, String externalName) {
        return new ServiceRecord(namespace, name, ServiceKind.EXTERNAL_NAME, List.of(), List.of(), externalName, false);
    }

    /** {@code namespace/name}, for messages. */
    public String describe() {
        return namespace + "/" + name;
    }
}
