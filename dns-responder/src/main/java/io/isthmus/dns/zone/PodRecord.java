package io.isthmus.dns.zone;

import java.net.InetAddress;
import java.util.List;

/**
 * What the zone needs of a Pod: a Pod with {@code spec.hostname} and {@code spec.subdomain}
 * naming a headless Service of its namespace gets {@code hostname.subdomain.ns.svc.zone}.
 *
 * @param namespace the namespace
 * @param name      the Pod name (for messages)
 * @param ips       {@code status.podIPs}
 * @param hostname  {@code spec.hostname}, or empty
 * @param subdomain {@code spec.subdomain}, or empty
 * @param ready     the Pod's Ready condition
 */
public record PodRecord(String namespace, String name, List<InetAddress> ips, String hostname, String subdomain, boolean ready) {
    public PodRecord {
        ips = List.copyOf(ips);
        hostname = hostname == null ? "" : hostname;
        subdomain = subdomain == null ? "" : subdomain;
    }
}
