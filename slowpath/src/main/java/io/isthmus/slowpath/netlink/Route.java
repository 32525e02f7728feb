package io.isthmus.slowpath.netlink;

import java.net.Inet4Address;

/** An IPv4 route of the main table: destination prefix, gateway (null when on-link), output interface. */
public record Route(Inet4Address destination, int prefixLength, Inet4Address gateway, int outputIndex) {
}
