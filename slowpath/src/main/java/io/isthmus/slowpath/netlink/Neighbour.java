package io.isthmus.slowpath.netlink;

/** A neighbour (ARP) entry: the MAC an address is at, and whether the entry is permanent. */
public record Neighbour(String mac, boolean permanent) {
}
