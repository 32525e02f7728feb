package io.isthmus.fastpath.uplink;

/**
 * Which worker port slots are the uplink and the uplink interface's own MAC (the source of every
 * frame the fast path sends out of it). The uplink has one AF_XDP socket per receive queue, each a
 * port of its own: queue {@code q} is slot {@code port + q}. Immutable; a new one is published per
 * attachment.
 *
 * @param port       the slot of queue 0 (where the fast path's own answers to outside clients leave)
 * @param queueCount how many consecutive slots, from {@code port}, are the uplink's queues (at least 1)
 * @param localMac   the uplink interface's MAC (low 48 bits)
 */
public record UplinkBinding(int port, int queueCount, long localMac) {
    public UplinkBinding {
        if (port < 0 || queueCount < 1) {
            throw new IllegalArgumentException("an uplink binding needs slot >= 0 and at least one queue, not slot " + port
                    + " with " + queueCount);
        }
    }

    /** A single-queue uplink in slot {@code port}. */
    public UplinkBinding(int port, long localMac) {
        this(port, 1, localMac);
    }

    /** True when {@code slot} is one of the uplink's queues (false for {@code PacketBatch.NO_PORT}). Allocation-free. */
    public boolean isUplink(int slot) {
        return Integer.compareUnsigned(slot - port, queueCount) < 0;
    }
}
