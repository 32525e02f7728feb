package io.isthmus.fastpath.port;

import io.isthmus.fastpath.pipeline.PacketBatch;

/**
 * Where frames come in and go out: an AF_XDP socket on a host interface, an in-memory queue
 * (tests, JMH), or a pcap file. Every port of a worker shares that worker's
 * {@link io.isthmus.fastpath.frame.FrameMemory} and {@link io.isthmus.fastpath.frame.FramePool},
 * so a frame received on one port is transmitted on another without a copy.
 *
 * <p>Steady-state calls allocate nothing, throw nothing and take no lock.
 *
 * <p><b>Thread-safety:</b> a port is driven by exactly one worker thread; {@link #counters()} may
 * be read from any thread. {@link #close()} is called by the owner after the worker stopped.
 */
public interface Port extends AutoCloseable {

    /** The index of this port in its worker's port table; stages name egress ports by it. */
    int id();

    /** A human name: the interface name, or the pcap file. */
    String name();

    /**
     * Appends up to {@code batch.free()} received frames to {@code batch} (address, length,
     * ingress port = {@link #id()}). Returns how many were appended; 0 when nothing was waiting.
     */
    int receive(PacketBatch batch);

    /**
     * Queues the frame at {@code address} for transmission. On {@code true} the port owns the
     * frame (it returns it to the pool once sent); on {@code false} (no room) the caller still
     * owns it and must drop it. Nothing is published to the device until {@link #flush()}.
     */
    boolean transmit(long address, int lengthBytes);

    /**
     * Housekeeping once per duty cycle: publishes queued transmissions (waking the kernel only
     * when it asks), reclaims completed frames into the pool, and refills the receive side.
     * Returns the amount of work done (0 when idle), for the idle strategy.
     */
    int flush();

    /**
     * As {@link #flush()}; {@code moreComing} says the worker's last receive filled its whole batch,
     * so another duty cycle follows at once: a port whose kernel wake-up is a system call may then
     * leave a small number of queued transmissions for the next cycle's kick (bounded; see
     * {@code AfXdpPort}). Ports without such a cost flush as {@link #flush()} does.
     */
    default int flush(boolean moreComing) {
        return flush();
    }

    PortCounters counters();

    /**
     * Worker: how many frames of the shared pool this port may keep on its receive side (its fair
     * share, recomputed when ports come and go). Ports without a kernel fill ring ignore it.
     */
    default void shareOfFrames(int frames) {
    }

    /** True only for {@link EmptyPort}, the placeholder of a free slot. */
    default boolean isEmpty() {
        return false;
    }

    @Override
    void close();
}
