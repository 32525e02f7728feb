package io.isthmus.fastpath.linux;

/** AF_XDP values from {@code <linux/if_xdp.h>} and {@code <bits/socket.h>}; checked by a test against the headers. */
public final class XdpConstants {
    private XdpConstants() {
    }

    public static final int AF_XDP = 44;
    public static final int SOL_XDP = 283;

    // sockaddr_xdp.sxdp_flags
    public static final short XDP_SHARED_UMEM = 1 << 0;
    public static final short XDP_COPY = 1 << 1;
    public static final short XDP_ZEROCOPY = 1 << 2;
    public static final short XDP_USE_NEED_WAKEUP = 1 << 3;
    /**
     * Multi-buffer: a packet larger than one frame arrives (and may be sent) as a chain of
     * descriptors (Linux 6.6+; not in Debian's 6.1 headers, value from the kernel's uapi).
     */
    public static final short XDP_USE_SG = 1 << 4;

    // xdp_desc.options
    /** This descriptor is not the packet's last one: the next descriptor continues it (Linux 6.6+). */
    public static final int XDP_PKT_CONTD = 1 << 0;

    // xdp_umem_reg.flags
    public static final int XDP_UMEM_UNALIGNED_CHUNK_FLAG = 1 << 0;

    // the ring flags word
    public static final int XDP_RING_NEED_WAKEUP = 1 << 0;

    // SOL_XDP socket options
    public static final int XDP_MMAP_OFFSETS = 1;
    public static final int XDP_RX_RING = 2;
    public static final int XDP_TX_RING = 3;
    public static final int XDP_UMEM_REG = 4;
    public static final int XDP_UMEM_FILL_RING = 5;
    public static final int XDP_UMEM_COMPLETION_RING = 6;
    public static final int XDP_STATISTICS = 7;
    public static final int XDP_OPTIONS = 8;
    /** Descriptors one copy-mode {@code sendto} may send (Linux 6.17+; 32..TX ring entries, default 32). */
    public static final int XDP_MAX_TX_SKB_BUDGET = 9;

    // xdp_options.flags
    public static final int XDP_OPTIONS_ZEROCOPY = 1 << 0;

    // mmap page offsets of the four rings
    public static final long XDP_PGOFF_RX_RING = 0L;
    public static final long XDP_PGOFF_TX_RING = 0x80000000L;
    public static final long XDP_UMEM_PGOFF_FILL_RING = 0x100000000L;
    public static final long XDP_UMEM_PGOFF_COMPLETION_RING = 0x180000000L;

    /** Headroom the kernel keeps in front of a received frame in copy mode ({@code XDP_PACKET_HEADROOM}). */
    public static final int XDP_PACKET_HEADROOM = 256;
}
