package io.isthmus.fastpath.port;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Packet and byte counters of one port.
 *
 * <p><b>Thread-safety:</b> single writer, many readers. The worker that owns the port is the only
 * writer and publishes with release stores (no atomic read-modify-write on the fast path); the
 * CLI, metrics and tests read with acquire loads and may see a value one batch old.
 */
public final class PortCounters {
    /**
     * RX_DROPPED (appended; ordinals are not ids, but keep appending): packets received on this port
     * that the pipeline dropped, whatever the {@code DropReason}; written by the worker, not the port.
     */
    public enum Counter {
        RX_PACKETS, RX_BYTES, TX_PACKETS, TX_BYTES, TX_RING_FULL,
        /** Times the port's receive side found the worker's pool empty (AF_XDP: once per starved episode, not per cycle). */
        RX_FILL_EMPTY,
        RX_DROPPED,
        /** Super-packets (larger than the MTU: a pod's TSO/GSO) split into MTU segments by the port (software GSO). */
        RX_GSO_PACKETS,
        /** Segments those super-packets became. */
        RX_GSO_SEGMENTS,
        /** TCP/UDP checksums the pod left partial (TX checksum offload) that the port completed. */
        RX_CHECKSUMS_COMPLETED,
        /** Packets larger than the MTU the port could not segment (not IPv4 TCP, malformed, no frames): dropped. */
        RX_OVERSIZE_DROPPED,
        /** AF_XDP: sendto calls that woke the kernel's TX (copy mode: each sends at most 32 frames), i.e. TX syscalls. */
        TX_KICKS,
        /** TCP super-packets the port kept whole (a chain of frames through the pipeline) instead of segmenting on receive. */
        RX_GSO_KEPT_WHOLE,
        /** Super-packets sent whole to this port's interface with a virtio_net_hdr (AF_PACKET, PACKET_VNET_HDR): one skb each. */
        TX_VNET_SENDS,
        /** The MTU segments those super-packets stand for (what AF_XDP TX would have sent one by one). */
        TX_VNET_SEGMENTS,
        /** Packets the kernel refused on the vnet-header socket for good (device down, ...): dropped. */
        TX_VNET_FAILED,
        /** Super-packets this port split into MTU segments on transmit (software GSO: no vnet-header socket). */
        TX_SOFTWARE_GSO_PACKETS,
        /** MTU segments merged on receive into the super-packet of an earlier segment of their flow (GRO in userspace). */
        RX_GRO_MERGED,
        /** Flushes whose vnet-header sends stopped at a full send buffer: the rest waited, queued in order, for the next flush. */
        TX_VNET_DEFERRED
    }

    private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);
    private static final int STRIDE = 8; // one cache line per counter pair is overkill; 8 longs apart avoids false sharing with neighbours
    private final long[] values = new long[Counter.values().length * STRIDE];

    /** Writer only: adds {@code delta} to {@code counter}. */
    public void add(Counter counter, long delta) {
        final int i = counter.ordinal() * STRIDE;
        LONGS.setRelease(values, i, values[i] + delta);
    }

    /** Writer only: {@code frames} received, {@code bytes} in all (nothing is published for none). */
    public void addReceived(long frames, long bytes) {
        if (frames > 0) {
            add(Counter.RX_PACKETS, frames);
            add(Counter.RX_BYTES, bytes);
        }
    }

    /** Writer only: {@code frames} transmitted, {@code bytes} in all (nothing is published for none). */
    public void addTransmitted(long frames, long bytes) {
        if (frames > 0) {
            add(Counter.TX_PACKETS, frames);
            add(Counter.TX_BYTES, bytes);
        }
    }

    /** Any thread: the latest published value. */
    public long get(Counter counter) {
        return (long) LONGS.getAcquire(values, counter.ordinal() * STRIDE);
    }
}
