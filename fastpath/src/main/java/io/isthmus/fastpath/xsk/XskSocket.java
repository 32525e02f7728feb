package io.isthmus.fastpath.xsk;

import io.isthmus.fastpath.linux.Errno;
import io.isthmus.fastpath.linux.Libc;
import io.isthmus.fastpath.linux.LinuxException;
import io.isthmus.fastpath.linux.PosixConstants;
import io.isthmus.fastpath.linux.SockaddrXdp;
import io.isthmus.fastpath.linux.XdpConstants;
import io.isthmus.fastpath.linux.XdpMmapOffsets;
import io.isthmus.fastpath.linux.XdpOptions;
import io.isthmus.fastpath.linux.XdpStatistics;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;

/**
 * An AF_XDP socket bound to one queue of one interface, with its four mapped rings.
 *
 * <p>Setup, in the kernel's required order: {@code socket(AF_XDP)}; on the first socket of a
 * worker {@code XDP_UMEM_REG}; ring sizes ({@code XDP_UMEM_FILL_RING},
 * {@code XDP_UMEM_COMPLETION_RING}, {@code XDP_RX_RING}, {@code XDP_TX_RING}); {@code XDP_MMAP_OFFSETS}
 * and the four {@code mmap}s; {@code bind}. The first socket binds with
 * {@code XDP_USE_NEED_WAKEUP} and the chosen copy mode; every later socket of the worker binds with
 * {@code XDP_SHARED_UMEM} and the first socket's fd (so the worker has ONE UMEM) and, being on
 * another device or queue, has its own fill and completion rings. Whether the kernel runs the
 * socket zero-copy is read back with {@code XDP_OPTIONS}.
 *
 * <p><b>Thread-safety:</b> opened and closed by the slow path; the rings belong to the worker
 * that drives the port. {@link #statistics()} may be called from any thread.
 */
public final class XskSocket implements AutoCloseable {
    private final int fd;
    private final String interfaceName;
    private final int ifindex;
    private final int queueId;
    private final boolean zeroCopy;
    private final boolean scatterGather;
    private final FillRing fill;
    private final CompletionRing completion;
    private final RxRing rx;
    private final TxRing tx;
    private final MemorySegment[] mappings;
    private boolean closed;

    private XskSocket(int fd, String interfaceName, int ifindex, int queueId, boolean zeroCopy, boolean scatterGather,
                      MemorySegment[] mappings, FillRing fill, CompletionRing completion, RxRing rx, TxRing tx) {
        this.fd = fd;
        this.interfaceName = interfaceName;
        this.ifindex = ifindex;
        this.queueId = queueId;
        this.zeroCopy = zeroCopy;
        this.scatterGather = scatterGather;
        this.mappings = mappings;
        this.fill = fill;
        this.completion = completion;
        this.rx = rx;
        this.tx = tx;
    }

    /**
     * Opens a socket on {@code interfaceName} queue {@code queueId}. {@code first} is null for the
     * worker's first socket (which registers {@code umem}), else that first socket (whose UMEM is
     * shared; it must be on another device or queue).
     */
    public static XskSocket open(String interfaceName, int queueId, Umem umem, XskSocket first, XskConfig config) {
        final int ifindex = Libc.ifNameToIndex(interfaceName);
        final int fd = Libc.socket(XdpConstants.AF_XDP, PosixConstants.SOCK_RAW | PosixConstants.SOCK_CLOEXEC, 0);
        final MemorySegment[] mappings = new MemorySegment[4];
        try (Arena arena = Arena.ofConfined()) {
            if (first == null) {
                umem.register(fd);
            }
            final int entries = config.ringEntries();
            final String on = " on " + interfaceName;
            Libc.setsockoptInt(fd, XdpConstants.SOL_XDP, XdpConstants.XDP_UMEM_FILL_RING, entries, "XDP_UMEM_FILL_RING" + on);
            Libc.setsockoptInt(fd, XdpConstants.SOL_XDP, XdpConstants.XDP_UMEM_COMPLETION_RING, entries,
                    "XDP_UMEM_COMPLETION_RING" + on);
            Libc.setsockoptInt(fd, XdpConstants.SOL_XDP, XdpConstants.XDP_RX_RING, entries, "XDP_RX_RING" + on);
            Libc.setsockoptInt(fd, XdpConstants.SOL_XDP, XdpConstants.XDP_TX_RING, entries, "XDP_TX_RING" + on);

            final MemorySegment offsets = arena.allocate(XdpMmapOffsets.LAYOUT);
            Libc.getsockopt(fd, XdpConstants.SOL_XDP, XdpConstants.XDP_MMAP_OFFSETS, offsets, "XDP_MMAP_OFFSETS" + on);
            final XdpMmapOffsets.Ring[] rings = XdpMmapOffsets.Ring.values();
            final long[] pageOffsets = {XdpConstants.XDP_PGOFF_RX_RING, XdpConstants.XDP_PGOFF_TX_RING,
                    XdpConstants.XDP_UMEM_PGOFF_FILL_RING, XdpConstants.XDP_UMEM_PGOFF_COMPLETION_RING};
            for (int r = 0; r < 4; r++) {
                final long entrySize = rings[r] == XdpMmapOffsets.Ring.RX || rings[r] == XdpMmapOffsets.Ring.TX ? 16 : 8;
                final long length = (long) rings[r].desc.get(offsets) + entries * entrySize;
                mappings[r] = Libc.mmap(length, PosixConstants.PROT_READ | PosixConstants.PROT_WRITE,
                        PosixConstants.MAP_SHARED | PosixConstants.MAP_POPULATE, fd, pageOffsets[r],
                        rings[r].name() + " ring" + on);
            }
            final RxRing rx = new RxRing(mappings[0], off(rings[0].producer, offsets), off(rings[0].consumer, offsets),
                    off(rings[0].flags, offsets), off(rings[0].desc, offsets), entries);
            final TxRing tx = new TxRing(mappings[1], off(rings[1].producer, offsets), off(rings[1].consumer, offsets),
                    off(rings[1].flags, offsets), off(rings[1].desc, offsets), entries);
            final FillRing fill = new FillRing(mappings[2], off(rings[2].producer, offsets), off(rings[2].consumer, offsets),
                    off(rings[2].flags, offsets), off(rings[2].desc, offsets), entries);
            final CompletionRing completion = new CompletionRing(mappings[3], off(rings[3].producer, offsets),
                    off(rings[3].consumer, offsets), off(rings[3].flags, offsets), off(rings[3].desc, offsets), entries);

            final MemorySegment address = arena.allocate(SockaddrXdp.LAYOUT);
            SockaddrXdp.FAMILY.set(address, (short) XdpConstants.AF_XDP);
            SockaddrXdp.IFINDEX.set(address, ifindex);
            SockaddrXdp.QUEUE_ID.set(address, queueId);
            final String bound = "AF_XDP " + interfaceName + " ifindex=" + ifindex + " queue=" + queueId;
            final boolean scatterGather;
            if (first == null) {
                scatterGather = bindFirst(fd, address, config, bound);
            } else {
                // The kernel refuses mode flags here: a shared socket inherits them (multi-buffer too) from the first.
                SockaddrXdp.FLAGS.set(address, XdpConstants.XDP_SHARED_UMEM);
                SockaddrXdp.SHARED_UMEM_FD.set(address, first.fd);
                Libc.bind(fd, address, bound + " sharing the UMEM of fd " + first.fd);
                scatterGather = first.scatterGather;
            }

            final MemorySegment options = arena.allocate(XdpOptions.LAYOUT);
            Libc.getsockopt(fd, XdpConstants.SOL_XDP, XdpConstants.XDP_OPTIONS, options, "XDP_OPTIONS" + on);
            final boolean zeroCopy = ((int) XdpOptions.FLAGS.get(options) & XdpConstants.XDP_OPTIONS_ZEROCOPY) != 0;
            return new XskSocket(fd, interfaceName, ifindex, queueId, zeroCopy, scatterGather, mappings, fill, completion, rx, tx);
        } catch (RuntimeException e) {
            for (MemorySegment m : mappings) {
                if (m != null) {
                    Libc.munmap(m, "ring");
                }
            }
            Libc.close(fd, "AF_XDP socket");
            throw e;
        }
    }

    /**
     * Binds the worker's first socket with {@code XDP_USE_NEED_WAKEUP}, the copy mode and, when
     * {@code config} asks, {@code XDP_USE_SG}; a kernel or driver that refuses multi-buffer
     * (EINVAL before Linux 6.6, EOPNOTSUPP from a zero-copy driver without it) gets a second bind
     * without it and a log line. Returns whether multi-buffer is on.
     */
    private static boolean bindFirst(int fd, MemorySegment address, XskConfig config, String bound) {
        final short flags = (short) (XdpConstants.XDP_USE_NEED_WAKEUP | config.bindMode().flags);
        if (config.scatterGather()) {
            SockaddrXdp.FLAGS.set(address, (short) (flags | XdpConstants.XDP_USE_SG));
            try {
                Libc.bind(fd, address, bound + " mode=" + config.bindMode() + " multi-buffer");
                return true;
            } catch (LinuxException e) {
                if (e.errno() != Errno.EINVAL && e.errno() != Errno.EOPNOTSUPP) {
                    throw e;
                }
                System.getLogger(XskSocket.class.getName()).log(System.Logger.Level.WARNING, e.getMessage()
                        + "; binding without multi-buffer (frames larger than " + config.frameSizeBytes()
                        + " bytes will be dropped: keep the pods' TSO/GSO off)");
            }
        }
        SockaddrXdp.FLAGS.set(address, flags);
        Libc.bind(fd, address, bound + " mode=" + config.bindMode());
        return false;
    }

    private static long off(VarHandle field, MemorySegment offsets) {
        return (long) field.get(offsets);
    }

    public int fd() {
        return fd;
    }

    public String interfaceName() {
        return interfaceName;
    }

    public int ifindex() {
        return ifindex;
    }

    public int queueId() {
        return queueId;
    }

    /** True when the kernel runs this socket zero-copy (XDP_OPTIONS_ZEROCOPY), false in copy mode. */
    public boolean zeroCopy() {
        return zeroCopy;
    }

    /** True when the socket is multi-buffer ({@code XDP_USE_SG}): RX and TX packets may be descriptor chains. */
    public boolean scatterGather() {
        return scatterGather;
    }

    public FillRing fill() {
        return fill;
    }

    public CompletionRing completion() {
        return completion;
    }

    public RxRing rx() {
        return rx;
    }

    public TxRing tx() {
        return tx;
    }

    /**
     * Asks the kernel to send up to {@code frames} TX descriptors per {@code sendto} in copy mode
     * ({@code XDP_MAX_TX_SKB_BUDGET}, Linux 6.17+; the kernel's own budget is 32, and it accepts
     * 32..TX ring entries). Returns 0 when set, else the errno (ENOPROTOOPT: an older kernel,
     * EACCES: out of range), the socket keeping the kernel's budget. Slow path.
     */
    public int trySetTxBudget(int frames) {
        try {
            Libc.setsockoptInt(fd, XdpConstants.SOL_XDP, XdpConstants.XDP_MAX_TX_SKB_BUDGET, frames,
                    "XDP_MAX_TX_SKB_BUDGET on " + interfaceName);
            return 0;
        } catch (LinuxException e) {
            return e.errno();
        }
    }

    /** The kernel's drop counters ({@code XDP_STATISTICS}); slow path, allocates. */
    public XskStatistics statistics() {
        try (Arena arena = Arena.ofConfined()) {
            final MemorySegment s = arena.allocate(XdpStatistics.LAYOUT);
            Libc.getsockopt(fd, XdpConstants.SOL_XDP, XdpConstants.XDP_STATISTICS, s, "XDP_STATISTICS on " + interfaceName);
            return new XskStatistics((long) XdpStatistics.RX_DROPPED.get(s), (long) XdpStatistics.RX_INVALID_DESCS.get(s),
                    (long) XdpStatistics.TX_INVALID_DESCS.get(s), (long) XdpStatistics.RX_RING_FULL.get(s),
                    (long) XdpStatistics.RX_FILL_RING_EMPTY_DESCS.get(s), (long) XdpStatistics.TX_RING_EMPTY_DESCS.get(s));
        }
    }

    /** Unmaps the rings and closes the socket (after the worker stopped). */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (MemorySegment m : mappings) {
            Libc.munmap(m, "ring of " + interfaceName);
        }
        Libc.close(fd, "AF_XDP socket on " + interfaceName);
    }
}
