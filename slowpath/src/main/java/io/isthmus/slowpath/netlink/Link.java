package io.isthmus.slowpath.netlink;

/** A network interface as netlink reports it. */
public record Link(int index, String name, String mac, boolean up) {
}
