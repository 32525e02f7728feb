package io.isthmus.fastpath.uplink;

/**
 * Which worker port slot is the uplink and the uplink interface's own MAC (the source of every
 * frame the fast path sends out of it). Immutable; a new one is published per attachment.
 *
 * @param port     the worker's port slot holding the uplink's AF_XDP socket
 * @param localMac the uplink interface's MAC (low 48 bits)
 */
public record UplinkBinding(int port, long localMac) {
}
