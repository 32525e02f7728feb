package io.isthmus.fastpath.traffic;

import java.time.Duration;

/**
 * One pod as the traffic suite sees it: the far end of a switch port, where whole Ethernet frames
 * go in and come out. Implementations: an in-memory port's queues, a pair of pcap files, a packet
 * socket on the pod side of a veth in a network namespace (AF_XDP harness).
 *
 * <p><b>Thread-safety:</b> used by the one test thread.
 */
public interface PodEndpoint {

    /** The pod's IPv4 address (network bit order, as {@code Ipv4Address.parse} gives). */
    int ip();

    /** The pod's MAC address (the low 48 bits), the source of every frame it sends. */
    long mac();

    /** Sends one frame from the pod towards the switch; may wait (bounded) for room, never loses it silently. */
    void send(byte[] frame) throws Exception;

    /**
     * The next frame the switch delivered to the pod, or null when none arrived within {@code timeout}.
     * Frames the harness itself did not originate may show up (a kernel's own ARP, IPv6 noise): the
     * suite skips what it does not expect.
     */
    byte[] receive(Duration timeout) throws Exception;
}
