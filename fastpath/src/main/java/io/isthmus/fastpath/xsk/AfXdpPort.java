package io.isthmus.fastpath.xsk;

import io.isthmus.fastpath.frame.FrameLoans;
import io.isthmus.fastpath.frame.FramePool;
import io.isthmus.fastpath.gso.PartialChecksums;
import io.isthmus.fastpath.gso.PartialTcpChecksum;
import io.isthmus.fastpath.gso.TcpCoalescer;
import io.isthmus.fastpath.gso.TcpSegmenter;
import io.isthmus.fastpath.linux.XdpConstants;
import io.isthmus.fastpath.packet.EthernetDescriptor;
import io.isthmus.fastpath.linux.CallState;
import io.isthmus.fastpath.linux.Errno;
import io.isthmus.fastpath.linux.Libc;
import io.isthmus.fastpath.linux.PosixConstants;
import io.isthmus.fastpath.pipeline.PacketBatch;
import io.isthmus.fastpath.port.Port;
import io.isthmus.fastpath.port.PortCounters;
import io.isthmus.fastpath.vnet.VnetPacketSender;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * A {@link Port} over one AF_XDP socket whose UMEM is the worker's {@code FrameMemory}.
 *
 * <ul>
 *   <li>{@link #receive}: takes RX descriptors into the batch (the frames are the batch's now);
 *       completes TCP/UDP checksums the pod left partial ({@link PartialChecksums}) and splits
 *       packets larger than the pods' MTU, whole frames or multi-buffer chains, into MTU segments
 *       ({@link TcpSegmenter}: software GSO), so pods may keep TSO/GSO and checksum offload on.
 *       With GSO transmit on, an IPv4 TCP super-packet with a partial checksum is instead kept
 *       whole: its frames become a chain in the {@link FramePool} and the batch gets its head with
 *       the packet's total length (the stages read and rewrite the headers in the head; the
 *       checksum field is complemented while it travels, see {@link PartialTcpChecksum}).</li>
 *   <li>{@link #transmit}: writes a TX descriptor; nothing reaches the kernel before {@link #flush}.
 *       A chain longer than the MTU (a super-packet kept whole) goes to the port's
 *       {@link VnetPacketSender} (one AF_PACKET send with a virtio_net_hdr: the receiving pod gets
 *       one GSO packet), or, without one, is split into MTU segments on the TX ring. Packets of
 *       one port leave in the order the port was given them: a packet given after a queued
 *       super-packet is queued on the vnet-header socket too, and packets waiting on the TX ring
 *       are sent before a super-packet is queued (a receiving TCP takes a reordered stream as
 *       loss: duplicate ACKs, spurious retransmits).</li>
 *   <li>{@link #flush}: publishes TX, kicks the kernel with {@code sendto(MSG_DONTWAIT)} only when
 *       the TX ring's need_wakeup flag asks (a copy-mode device sends a few frames per kick, so it
 *       keeps kicking while the kernel leaves work, at most {@link #MAX_TX_KICKS} times), returns
 *       completed frames to the worker's {@link FramePool} (before the kicks, so the kernel has room
 *       to complete into), and tops the fill ring up from the pool
 *       (waking the kernel with {@code recvfrom(MSG_DONTWAIT)} when the fill ring asks).</li>
 * </ul>
 * Steady state: no allocation, no exception, no lock; errors of kicks are counted, not thrown.
 *
 * <p>Every frame it gives the kernel (fill, TX) is marked in the worker's {@link FrameLoans} and
 * unmarked when the kernel gives it back (RX, completion), so that after the socket is closed
 * {@link #reclaimLentFrames()} returns to the pool exactly the frames the kernel still had.
 *
 * <p><b>Thread-safety:</b> one worker thread drives it; {@link #counters()} is readable anywhere.
 * {@link #close()} does not close the socket (the {@link AfXdpInterface} owns it).
 */
public final class AfXdpPort implements Port {
    /** Upper bound of sendto kicks per flush. */
    public static final int MAX_TX_KICKS = 32;
    /** The pods' MTU: larger IPv4 packets are segmented on receive. */
    public static final int DEFAULT_POD_MTU_BYTES = 1500;
    /**
     * The longest descriptor chain kept for segmentation: a 64 KiB super-packet in 2 KiB frames
     * (1,792 bytes each after the kernel's headroom) takes 37; longer chains are dropped whole.
     */
    static final int MAX_CHAIN_FRAMES = 64;

    private final int id;
    private final XskSocket socket;
    private final FramePool pool;
    private final FrameLoans loans;
    private final RxRing rx;
    private final TxRing tx;
    private final FillRing fill;
    private final CompletionRing completion;
    private int fillTarget;
    private final PortCounters counters = new PortCounters();
    private final Arena arena = Arena.ofShared();
    private final CallState callState = new CallState(arena);
    private final int fd;
    /** Written by the worker only on a failed kick (rare), read by the slow path: volatile is cheap enough. */
    private volatile long kickErrors;
    private volatile int lastKickErrno;
    private final MemorySegment memory;
    private final TcpSegmenter segmenter;
    private final int maxUnsegmentedFrameBytes;
    private final long[] chainAddress = new long[MAX_CHAIN_FRAMES];
    private final int[] chainLength = new int[MAX_CHAIN_FRAMES];
    private long checksumsCompleted;
    private long gsoPackets;
    private long gsoSegments;
    private long oversizeDropped;
    /** The last refill ran out of pool frames before its target; RX_FILL_EMPTY counts the start of each such episode. */
    private boolean fillStarved;
    private long keptWhole;
    private long coalesced;
    /** Receive-side coalescing of MTU segments into super-packets (with a vnet-header socket), or null. */
    private final TcpCoalescer coalescer;
    private final boolean keepSuperPacketsWhole;
    /** The vnet-header socket on this port's interface, or null (software GSO on transmit). */
    private final VnetPacketSender vnet;
    private final long[] segmentAddress = new long[MAX_CHAIN_FRAMES];
    private final int[] segmentLength = new int[MAX_CHAIN_FRAMES];
    private int pendingTxPackets;
    private long pendingTxBytes;
    private boolean closed;
    /** Descriptors the kernel sends per kick at most ({@link TxBudget}); the kernel's 32 until {@link #setTxBudget}. */
    private int txBudgetFrames = TxBudget.KERNEL_FRAMES;
    /** Cycles a kick may wait for more frames ({@link #coalesceKicks}); 0: every flush kicks. */
    private int kickCoalesceCycles;
    /** Cycles the current kick has waited. */
    private int deferredKicks;

    /**
     * @param loans      the worker's ledger of lent frames (shared by all its ports)
     * @param fillTarget how many frames this port keeps in its fill ring at most (its share of the pool)
     */
    public AfXdpPort(int id, XskSocket socket, FramePool pool, FrameLoans loans, int fillTarget) {
        this(id, socket, pool, loans, fillTarget, DEFAULT_POD_MTU_BYTES);
    }

    /**
     * @param podMtuBytes the MTU of the pods' veths: received IPv4 packets larger than it (TSO/GSO
     *                    super-packets) are split into segments that fit it
     */
    public AfXdpPort(int id, XskSocket socket, FramePool pool, FrameLoans loans, int fillTarget, int podMtuBytes) {
        this(id, socket, pool, loans, fillTarget, podMtuBytes, false, null);
    }

    /**
     * @param keepSuperPacketsWhole keep IPv4 TCP super-packets with a partial checksum whole (a
     *                              chain) instead of segmenting them on receive; every port of the
     *                              worker must then be an AF_XDP port (they transmit chains)
     * @param vnet                  the vnet-header socket super-packets leave by, or null (they are
     *                              segmented on transmit); the port closes it
     */
    public AfXdpPort(int id, XskSocket socket, FramePool pool, FrameLoans loans, int fillTarget, int podMtuBytes,
                     boolean keepSuperPacketsWhole, VnetPacketSender vnet) {
        this.keepSuperPacketsWhole = keepSuperPacketsWhole;
        this.vnet = vnet;
        this.coalescer = keepSuperPacketsWhole ? new TcpCoalescer(pool.memory().segment(), pool) : null;
        this.id = id;
        this.memory = pool.memory().segment();
        this.segmenter = new TcpSegmenter(memory, podMtuBytes);
        this.maxUnsegmentedFrameBytes = EthernetDescriptor.HEADER_LENGTH + podMtuBytes;
        this.socket = socket;
        this.pool = pool;
        this.loans = loans;
        this.rx = socket.rx();
        this.tx = socket.tx();
        this.fill = socket.fill();
        this.completion = socket.completion();
        this.fd = socket.fd();
        this.fillTarget = Math.min(fillTarget, fill.size());
        refill();
    }

    /**
     * A port as {@code config} asks: on a multi-buffer socket, unless {@link XskConfig#gsoTransmit()}
     * is SEGMENT_ON_RECEIVE, super-packets are kept whole; with VNET_HEADER they leave by a
     * {@link VnetPacketSender} on the socket's interface (when that cannot be opened, a warning is
     * logged and they are segmented on transmit, as with SEGMENT_ON_TRANSMIT).
     */
    public static AfXdpPort open(int id, XskSocket socket, FramePool pool, FrameLoans loans, int fillTarget, XskConfig config) {
        final boolean whole = config.gsoTransmit() != XskConfig.GsoTransmit.SEGMENT_ON_RECEIVE && socket.scatterGather();
        VnetPacketSender sender = null;
        if (whole && config.gsoTransmit() == XskConfig.GsoTransmit.VNET_HEADER) {
            try {
                sender = VnetPacketSender.open(socket.interfaceName(), pool.memory().segment());
            } catch (RuntimeException e) {
                System.getLogger(AfXdpPort.class.getName()).log(System.Logger.Level.WARNING, "no vnet-header socket on "
                        + socket.interfaceName() + " (" + e.getMessage() + "): its super-packets are segmented on transmit");
            }
        }
        return new AfXdpPort(id, socket, pool, loans, fillTarget, DEFAULT_POD_MTU_BYTES, whole, sender);
    }

    /**
     * Slow path, before the worker runs: lets one kick send up to {@code frames} descriptors (capped
     * by the TX ring; {@link XskSocket#trySetTxBudget}). Returns 0, or the errno of a kernel that
     * refused (the port then keeps the budget it had: the kernel's 32 a kick unless set before).
     */
    public int setTxBudget(int frames) {
        final int wanted = Math.max(TxBudget.KERNEL_FRAMES, Math.min(frames, tx.size()));
        if (wanted == txBudgetFrames) {
            return 0;
        }
        final int errno = socket.trySetTxBudget(wanted);
        if (errno == 0) {
            txBudgetFrames = wanted;
        }
        return errno;
    }

    /**
     * Slow path, before the worker runs: a flush told more is coming may leave fewer than
     * {@link #coalesceFrames} queued descriptors for the next cycle's kick, {@code cycles} times in
     * a row at most (0: kick on every flush, the default).
     */
    public void coalesceKicks(int cycles) {
        if (cycles < 0) {
            throw new IllegalArgumentException("kick coalescing cycles must be >= 0, not " + cycles);
        }
        this.kickCoalesceCycles = cycles;
    }

    /** Outstanding descriptors below which a kick may wait: a full batch, or the kick budget if smaller. */
    private int coalesceFrames() {
        return Math.min(PacketBatch.CAPACITY, txBudgetFrames);
    }

    /** Descriptors one kick may send (the kernel's 32 unless {@link #setTxBudget} succeeded). */
    public int txBudgetFrames() {
        return txBudgetFrames;
    }

    /** The errno of the last send the vnet-header socket refused (0: none, or no such socket); any thread. */
    public int vnetLastErrno() {
        return vnet == null ? 0 : vnet.lastErrno();
    }

    /** True when this port sends super-packets whole through a vnet-header socket. */
    public boolean sendsSuperPacketsWhole() {
        return vnet != null;
    }

    @Override
    public int id() {
        return id;
    }

    @Override
    public String name() {
        return socket.interfaceName();
    }

    public XskSocket socket() {
        return socket;
    }

    /**
     * Takes received packets into the batch. A packet in one frame is appended as it is (its
     * TCP/UDP checksum completed when the pod left it partial); a packet larger than the MTU, one
     * frame or a chain of frames ({@code XDP_PKT_CONTD}, multi-buffer sockets), is split into MTU
     * segments in fresh frames by the {@link TcpSegmenter} and its own frames go back to the pool.
     * A chain that does not fit in the batch's free entries waits in the ring for the next batch.
     */
    @Override
    public int receive(PacketBatch batch) {
        final int ready = rx.peek(rx.size());
        if (ready == 0) {
            return 0;
        }
        int consumed = 0;
        int packets = 0;
        long bytes = 0;
        while (consumed < ready && batch.free() > 0) {
            final long address = rx.address(consumed);
            final int length = rx.length(consumed);
            if ((rx.options(consumed) & XdpConstants.XDP_PKT_CONTD) == 0 && length <= maxUnsegmentedFrameBytes) {
                loans.returned(address);
                if (coalescer != null) {
                    consumed++;
                    bytes += length;
                    if (coalescer.offer(batch, address, length)) {
                        continue; // now a link of the super-packet the batch holds
                    }
                    packets++;
                    if (coalescer.added(batch, batch.add(address, length, id), address, length)) {
                        checksumsCompleted++;
                    }
                    continue;
                }
                if (PartialChecksums.completeIfPartial(memory, address, length)) {
                    checksumsCompleted++;
                }
                batch.add(address, length, id);
                consumed++;
                packets++;
                bytes += length;
                continue;
            }
            if (coalescer != null) {
                coalescer.close(batch);
            }
            final int end = chainEnd(consumed, ready);
            if (end < 0) {
                rx.refreshProducer(); // the rest of the chain is not visible yet: look again next time
                break;
            }
            final int links = end - consumed + 1;
            final int totalBytes = takeChain(consumed, links);
            final int planned = links <= MAX_CHAIN_FRAMES ? segmenter.plan(address, length, totalBytes) : TcpSegmenter.NOT_SEGMENTABLE;
            if (keepSuperPacketsWhole && planned > 1 && PartialTcpChecksum.isPartial(memory, address, segmenter.ipHeaderBytes())) {
                PartialTcpChecksum.complement(memory, address, segmenter.ipHeaderBytes());
                pool.chain(chainAddress, chainLength, links);
                batch.add(address, totalBytes, id);
                keptWhole++;
                packets++;
                bytes += totalBytes;
                consumed = end + 1;
                continue;
            }
            if (planned > batch.free() && planned <= PacketBatch.CAPACITY) {
                untakeChain(links);
                break; // fits in the next batch
            }
            if (planned == TcpSegmenter.NOT_SEGMENTABLE || planned > PacketBatch.CAPACITY || planned > pool.available()) {
                oversizeDropped++;
            } else {
                segmenter.segment(chainAddress, chainLength, links, pool, batch, id);
                gsoPackets++;
                gsoSegments += planned;
                packets += planned;
            }
            releaseChain(links);
            consumed = end + 1;
            bytes += totalBytes;
        }
        if (coalescer != null) {
            coalescer.close(batch);
            coalesced += coalescer.takeMerged();
        }
        rx.release(consumed);
        counters.addReceived(packets, bytes);
        publishOffloadCounters();
        return packets;
    }

    /** The ring index (relative to the consumer) of the last descriptor of the chain starting at {@code start}, or -1. */
    private int chainEnd(int start, int ready) {
        for (int i = start; i < ready; i++) {
            if ((rx.options(i) & XdpConstants.XDP_PKT_CONTD) == 0) {
                return i;
            }
        }
        return -1;
    }

    /** Copies the chain's descriptors (at most {@link #MAX_CHAIN_FRAMES}) into the chain arrays and marks its frames returned; its total bytes. */
    private int takeChain(int start, int links) {
        int total = 0;
        for (int k = 0; k < links; k++) {
            final long address = rx.address(start + k);
            final int length = rx.length(start + k);
            loans.returned(address);
            if (k < MAX_CHAIN_FRAMES) {
                chainAddress[k] = address;
                chainLength[k] = length;
            } else {
                pool.release(address); // too long to keep: dropped whole (see releaseChain)
            }
            total += length;
        }
        return total;
    }

    /** The chain stays in the RX ring: its frames are the kernel's again in the ledger. */
    private void untakeChain(int links) {
        for (int k = 0; k < links && k < MAX_CHAIN_FRAMES; k++) {
            loans.lend(chainAddress[k], id);
        }
    }

    private void releaseChain(int links) {
        for (int k = 0; k < links && k < MAX_CHAIN_FRAMES; k++) {
            pool.release(chainAddress[k]);
        }
    }

    private void publishOffloadCounters() {
        if (checksumsCompleted != 0) {
            counters.add(PortCounters.Counter.RX_CHECKSUMS_COMPLETED, checksumsCompleted);
            checksumsCompleted = 0;
        }
        if (gsoPackets != 0) {
            counters.add(PortCounters.Counter.RX_GSO_PACKETS, gsoPackets);
            counters.add(PortCounters.Counter.RX_GSO_SEGMENTS, gsoSegments);
            gsoPackets = 0;
            gsoSegments = 0;
        }
        if (oversizeDropped != 0) {
            counters.add(PortCounters.Counter.RX_OVERSIZE_DROPPED, oversizeDropped);
            oversizeDropped = 0;
        }
        if (keptWhole != 0) {
            counters.add(PortCounters.Counter.RX_GSO_KEPT_WHOLE, keptWhole);
            keptWhole = 0;
        }
        if (coalesced != 0) {
            counters.add(PortCounters.Counter.RX_GRO_MERGED, coalesced);
            coalesced = 0;
        }
    }

    @Override
    public boolean transmit(long address, int lengthBytes) {
        if (lengthBytes > maxUnsegmentedFrameBytes && (keepSuperPacketsWhole || pool.isChained(address))) {
            return transmitSuperPacket(address, lengthBytes); // a chain, or a small super-packet in one frame (2 KiB frames hold 1,792 bytes)
        }
        if (vnet != null && vnet.queued() != 0) { // behind a queued super-packet: the same path, in order
            if (!vnet.hasRoom()) {
                counters.add(PortCounters.Counter.TX_RING_FULL, 1);
                return false;
            }
            vnet.queueFrame(address, lengthBytes);
            return true;
        }
        if (tx.free(1) < 1) {
            counters.add(PortCounters.Counter.TX_RING_FULL, 1);
            return false;
        }
        tx.put(address, lengthBytes);
        loans.lend(address, id);
        pendingTxPackets++;
        pendingTxBytes += lengthBytes;
        return true;
    }

    /**
     * A super-packet kept whole (the chain headed by {@code head}, or the one frame {@code head} when
     * it fits in one, {@code lengthBytes} in all): queued
     * on the vnet-header socket with its checksum partial again, or split into MTU segments on the
     * TX ring and its chain released. False (the caller drops the chain) when there is no room, or
     * when its headers no longer plan as a segmentable TCP packet (counted RX_OVERSIZE_DROPPED's
     * transmit twin: TX_VNET_FAILED).
     */
    private boolean transmitSuperPacket(long head, int lengthBytes) {
        final int links;
        if (pool.isChained(head)) {
            links = pool.chainOf(head, chainAddress, chainLength, MAX_CHAIN_FRAMES);
        } else { // larger than the MTU in one frame: a veth drops it unless it goes as GSO
            chainAddress[0] = head;
            chainLength[0] = lengthBytes;
            links = 1;
        }
        final int planned = links < 0 ? TcpSegmenter.NOT_SEGMENTABLE : segmenter.plan(head, chainLength[0], lengthBytes);
        if (planned == TcpSegmenter.NOT_SEGMENTABLE || planned > MAX_CHAIN_FRAMES) {
            counters.add(PortCounters.Counter.TX_VNET_FAILED, 1);
            return false;
        }
        final int ipHeaderBytes = segmenter.ipHeaderBytes();
        if (vnet != null) {
            if (!vnet.hasRoom()) {
                counters.add(PortCounters.Counter.TX_RING_FULL, 1);
                return false;
            }
            if (vnet.queued() == 0 && (pendingTxPackets != 0 || tx.outstanding() != 0)) {
                sendTxRingNow(); // packets before it on the TX ring leave first (the vnet socket would overtake them)
            }
            PartialTcpChecksum.complement(memory, head, ipHeaderBytes);
            vnet.queue(head, chainAddress, chainLength, links, lengthBytes, ipHeaderBytes, segmenter.tcpHeaderBytes(),
                    segmenter.mssBytes(), PartialTcpChecksum.congestionWindowReduced(memory, head, ipHeaderBytes), planned);
            return true;
        }
        if (tx.free(planned) < planned || pool.available() < planned) {
            counters.add(PortCounters.Counter.TX_RING_FULL, 1);
            return false;
        }
        final int made = segmenter.segmentInto(chainAddress, chainLength, links, pool, segmentAddress, segmentLength);
        for (int k = 0; k < made; k++) {
            tx.put(segmentAddress[k], segmentLength[k]);
            loans.lend(segmentAddress[k], id);
            pendingTxPackets++;
            pendingTxBytes += segmentLength[k];
        }
        pool.release(head);
        counters.add(PortCounters.Counter.TX_SOFTWARE_GSO_PACKETS, 1);
        return true;
    }

    /** Publishes the TX ring's pending packets and kicks the kernel, as {@link #flush} does. */
    private void sendTxRingNow() {
        if (pendingTxPackets != 0) {
            tx.submit();
            counters.addTransmitted(pendingTxPackets, pendingTxBytes);
            pendingTxPackets = 0;
            pendingTxBytes = 0;
        }
        kickTx();
    }

    @Override
    public int flush() {
        return flush(false);
    }

    /**
     * Publishes, reclaims, kicks and refills as the class comment says. With {@code moreComing}
     * (the worker's batch came in full, so the next cycle follows at once) and fewer than
     * {@link #coalesceFrames} descriptors outstanding, the kick waits for the next cycle, at most
     * {@link #kickCoalesceCycles} cycles in a row: with several egress ports each gets a third or
     * less of a batch (~21 frames with three backends), and each kick is a system call.
     */
    @Override
    public int flush(boolean moreComing) {
        int work = 0;
        if (vnet != null) {
            work += vnet.flush(pool, counters);
        }
        if (pendingTxPackets != 0) {
            tx.submit();
            counters.addTransmitted(pendingTxPackets, pendingTxBytes);
            work += pendingTxPackets;
            pendingTxPackets = 0;
            pendingTxBytes = 0;
        }
        work += reclaimCompleted(); // first: room in the completion ring lets the kernel send
        if (moreComing && deferredKicks < kickCoalesceCycles && tx.outstanding() < coalesceFrames()) {
            deferredKicks++;
        } else {
            deferredKicks = 0;
            kickTx();
        }
        work += refill();
        return work;
    }

    /**
     * Wakes the kernel's TX while it asks and leaves descriptors unsent, within {@link #MAX_TX_KICKS},
     * and stops at the first kick that sent nothing more (a zero-copy driver only schedules its
     * NAPI and answers later; a busy device would otherwise be kicked in a tight loop).
     */
    private void kickTx() {
        int outstanding = tx.outstanding();
        int kicks = 0;
        while (kicks < MAX_TX_KICKS && outstanding != 0 && tx.needsWakeup()) {
            final long result = Libc.sendtoRaw(callState, fd, PosixConstants.MSG_DONTWAIT);
            kicks++;
            final int left = tx.outstanding();
            if (left >= outstanding) {
                break; // no progress: the next flush tries again
            }
            outstanding = left;
            if (result < 0) {
                final int errno = callState.errno();
                if (errno != Errno.EAGAIN && errno != Errno.EBUSY && errno != Errno.ENOBUFS && errno != Errno.EINTR) {
                    lastKickErrno = errno;
                    kickErrors = kickErrors + 1; // single writer
                    break;
                }
            }
        }
        if (kicks != 0) {
            counters.add(PortCounters.Counter.TX_KICKS, kicks);
        }
    }

    private int reclaimCompleted() {
        final int count = completion.peek(completion.size());
        for (int i = 0; i < count; i++) {
            final long address = completion.address(i);
            loans.returned(address);
            pool.release(address);
        }
        if (count != 0) {
            completion.release(count);
        }
        return count;
    }

    /**
     * Puts frames from the pool into the fill ring until it holds {@link #fillTarget}. Running out
     * of pool frames counts one RX_FILL_EMPTY per episode (from the first refill that fell short
     * to the next one that reached its target), not one per duty cycle of a starved port.
     */
    private int refill() {
        final int inKernel = fill.outstanding();
        if (inKernel >= fillTarget) {
            fillStarved = false;
            return 0; // full, or the share shrank (another port came): wait until the kernel used some
        }
        final int wanted = Math.min(fillTarget - inKernel, fill.free(fillTarget - inKernel));
        int added = 0;
        while (added < wanted) {
            final long frame = pool.acquire();
            if (frame < 0) {
                if (!fillStarved) {
                    fillStarved = true;
                    counters.add(PortCounters.Counter.RX_FILL_EMPTY, 1);
                }
                break;
            }
            fill.put(frame);
            loans.lend(frame, id);
            added++;
        }
        if (added == wanted) {
            fillStarved = false;
        }
        if (added != 0) {
            fill.submit();
            if (fill.needsWakeup()) { // the driver stopped for lack of frames: tell it there are some
                Libc.recvfromRaw(callState, fd, PosixConstants.MSG_DONTWAIT);
            }
        }
        return added;
    }

    /** Worker: the new fair share of the pool for this port's fill ring (capped by the ring). */
    @Override
    public void shareOfFrames(int frames) {
        this.fillTarget = Math.max(1, Math.min(frames, fill.size()));
    }

    /** The current fill share (worker's value; other threads may see a stale one). */
    public int fillTarget() {
        return fillTarget;
    }

    /**
     * Worker, only after the socket is closed (the kernel no longer owns any frame of this port):
     * returns every frame this port still had lent (fill, RX, TX, completion, in-kernel) to the pool.
     */
    public int reclaimLentFrames() {
        return loans.reclaim(id, pool);
    }

    @Override
    public PortCounters counters() {
        return counters;
    }

    /** Kicks that failed with an unexpected errno (e.g. ENETDOWN); read by the slow path. */
    public long kickErrors() {
        return kickErrors;
    }

    public int lastKickErrno() {
        return lastKickErrno;
    }

    /** Frees the port's call state; idempotent (the worker and the port set may both close it). */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            try {
                if (vnet != null) {
                    vnet.close();
                }
            } finally {
                arena.close();
            }
        }
    }
}
