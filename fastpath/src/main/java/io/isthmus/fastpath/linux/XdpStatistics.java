package io.isthmus.fastpath.linux;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;
import java.lang.invoke.VarHandle;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * {@code struct xdp_statistics} ({@code getsockopt(SOL_XDP, XDP_STATISTICS)}): the kernel's drop
 * counters of one AF_XDP socket, six {@code __u64} in this order.
 *
 * <pre>
 *   0 rx_dropped | 8 rx_invalid_descs | 16 tx_invalid_descs | 24 rx_ring_full
 *   32 rx_fill_ring_empty_descs | 40 tx_ring_empty_descs | 48
 * </pre>
 */
public final class XdpStatistics {
    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_LONG.withName("rx_dropped"),
            JAVA_LONG.withName("rx_invalid_descs"),
            JAVA_LONG.withName("tx_invalid_descs"),
            JAVA_LONG.withName("rx_ring_full"),
            JAVA_LONG.withName("rx_fill_ring_empty_descs"),
            JAVA_LONG.withName("tx_ring_empty_descs"));
    public static final VarHandle RX_DROPPED = Fields.of(LAYOUT, "rx_dropped");
    public static final VarHandle RX_INVALID_DESCS = Fields.of(LAYOUT, "rx_invalid_descs");
    public static final VarHandle TX_INVALID_DESCS = Fields.of(LAYOUT, "tx_invalid_descs");
    public static final VarHandle RX_RING_FULL = Fields.of(LAYOUT, "rx_ring_full");
    public static final VarHandle RX_FILL_RING_EMPTY_DESCS = Fields.of(LAYOUT, "rx_fill_ring_empty_descs");
    public static final VarHandle TX_RING_EMPTY_DESCS = Fields.of(LAYOUT, "tx_ring_empty_descs");

    private XdpStatistics() {
    }
}
