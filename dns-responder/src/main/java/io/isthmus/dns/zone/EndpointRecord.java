package io.isthmus.dns.zone;

import java.net.InetAddress;
import java.util.List;

/**
 * One endpoint of an EndpointSlice.
 *
 * @param addresses its addresses (one family per slice in Kubernetes; not checked here)
 * @param hostname  the endpoint's {@code hostname} field, or empty
 * @param ready     the {@code ready} condition (Kubernetes reads an unset condition as ready)
 */
public record EndpointRecord(List<InetAddress> addresses, String hostname, boolean ready) {
    public EndpointRecord {
        addresses = List.copyOf(addresses);
        hostname = hostname == null ? "" : hostname;
    }
}
