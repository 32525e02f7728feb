package io.isthmus.fastpath.vnet;

import io.isthmus.fastpath.frame.FramePool;
import io.isthmus.fastpath.linux.CallState;
import io.isthmus.fastpath.linux.Errno;
import io.isthmus.fastpath.linux.Libc;
import io.isthmus.fastpath.linux.LinuxException;
import io.isthmus.fastpath.linux.PacketSocketConstants;
import io.isthmus.fastpath.linux.PosixConstants;
import io.isthmus.fastpath.linux.SockaddrLl;
import io.isthmus.fastpath.port.PortCounters;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Sends TCP super-packets (a pod's TSO/GSO packet kept whole as the chain of frames a
 * multi-buffer AF_XDP socket received it in) to an interface as ONE packet each: an AF_PACKET
 * socket bound to the interface with {@code PACKET_VNET_HDR}, so that every frame goes out with a
 * {@link VirtioNetHeader virtio_net_hdr} asking for TCP segmentation and a partial checksum, and
 * {@code PACKET_QDISC_BYPASS}. On a veth the kernel hands the peer (the pod) one GSO skb, and the
 * pod's TCP stack runs once per super-packet instead of once per MTU segment; on a device without
 * TSO the kernel segments it in software.
 *
 * <pre>
 *   queue(head, chain, header fields)         flush(pool, counters)
 *   message i: iovec[0] = its virtio_net_hdr  sendmmsg(fd, messages, n, MSG_DONTWAIT)
 *              iovec[1..k] = the chain's       (the kernel copies the frames into one skb each)
 *              frames, in order                then every sent chain goes back to the pool; when
 *                                              the send buffer is full (EAGAIN, ENOBUFS) the rest
 *                                              stays queued, in order, for the next flush; on any
 *                                              other error it is dropped (TX_VNET_FAILED)
 * </pre>
 *
 * The socket is opened with protocol 0: it receives nothing (no copy of the interface's traffic).
 * The frames stay the sender's (their chains intact in the pool) from {@link #queue} until
 * {@link #flush} returns them.
 *
 * <p><b>Thread-safety:</b> one worker thread queues and flushes (the port's); {@link #close()} after
 * the worker let go of the port. Steady state: no allocation, no exception, no lock.
 */
public final class VnetPacketSender implements AutoCloseable {
    /** Super-packets queued at most between two flushes. */
    public static final int MAX_PACKETS = 64;
    /** Frames per super-packet at most (a 64 KiB packet in 2 KiB frames takes 37). */
    public static final int MAX_FRAMES = 64;
    /** The socket's send buffer: a few dozen 64 KiB packets in flight before sendmmsg says EAGAIN. */
    static final int SEND_BUFFER_BYTES = 4 << 20;
    /** sendmmsg calls per flush at most (a call that sends part of the queue is repeated for the rest). */
    static final int MAX_CALLS_PER_FLUSH = 4;
    private static final int HEADER_STRIDE_BYTES = 16;
    private static final int IOVECS_PER_MESSAGE = 1 + MAX_FRAMES;

    private final int fd;
    private final String interfaceName;
    private final long framesBase;
    private final Arena arena = Arena.ofShared();
    private final CallState callState = new CallState(arena);
    private final MemorySegment messages = arena.allocate((long) MAX_PACKETS * MmsgDescriptor.MMSGHDR_BYTES, 8);
    private final MemorySegment iovecs = arena.allocate((long) MAX_PACKETS * IOVECS_PER_MESSAGE * MmsgDescriptor.IOVEC_BYTES, 8);
    private final MemorySegment headers = arena.allocate((long) MAX_PACKETS * HEADER_STRIDE_BYTES, 8);
    /** The message array from entry i on, made once: sendmmsg of the rest of a partly sent queue allocates nothing. */
    private final MemorySegment[] messagesFrom = new MemorySegment[MAX_PACKETS];
    private final long[] heads = new long[MAX_PACKETS];
    private final int[] bytes = new int[MAX_PACKETS];
    private final int[] segments = new int[MAX_PACKETS];
    /** Messages [first, queued) wait to be sent; [0, first) were sent by an earlier flush that ran out of buffer. */
    private int first;
    private int queued;
    private volatile int lastErrno;
    private boolean closed;

    private VnetPacketSender(int fd, String interfaceName, MemorySegment frames) {
        this.fd = fd;
        this.interfaceName = interfaceName;
        this.framesBase = frames.address();
        for (int i = 0; i < MAX_PACKETS; i++) {
            final long message = (long) i * MmsgDescriptor.MMSGHDR_BYTES;
            messages.set(ValueLayout.ADDRESS, message + MmsgDescriptor.IOV_OFFSET,
                    iovecs.asSlice((long) i * IOVECS_PER_MESSAGE * MmsgDescriptor.IOVEC_BYTES));
            final long headerIovec = (long) i * IOVECS_PER_MESSAGE * MmsgDescriptor.IOVEC_BYTES;
            iovecs.set(ValueLayout.ADDRESS, headerIovec + MmsgDescriptor.IOVEC_BASE_OFFSET, headers.asSlice((long) i * HEADER_STRIDE_BYTES));
            iovecs.set(ValueLayout.JAVA_LONG, headerIovec + MmsgDescriptor.IOVEC_LEN_OFFSET, VirtioNetHeaderDescriptor.LENGTH_BYTES);
            messagesFrom[i] = messages.asSlice(message);
        }
    }

    /**
     * Opens the socket on {@code interfaceName} for frames that live in {@code frames} (the
     * worker's UMEM: queued addresses are offsets into it). Needs CAP_NET_RAW; throws
     * {@link LinuxException} naming the step that failed.
     */
    public static VnetPacketSender open(String interfaceName, MemorySegment frames) {
        final int ifindex = Libc.ifNameToIndex(interfaceName);
        final int fd = Libc.socket(PacketSocketConstants.AF_PACKET, PosixConstants.SOCK_RAW | PosixConstants.SOCK_CLOEXEC, 0);
        try (Arena setup = Arena.ofConfined()) {
            final String on = " on " + interfaceName;
            Libc.setsockoptInt(fd, PacketSocketConstants.SOL_PACKET, PacketSocketConstants.PACKET_VNET_HDR, 1, "PACKET_VNET_HDR" + on);
            Libc.setsockoptInt(fd, PacketSocketConstants.SOL_PACKET, PacketSocketConstants.PACKET_QDISC_BYPASS, 1,
                    "PACKET_QDISC_BYPASS" + on);
            try {
                Libc.setsockoptInt(fd, PosixConstants.SOL_SOCKET, PosixConstants.SO_SNDBUFFORCE, SEND_BUFFER_BYTES,
                        "SO_SNDBUFFORCE" + on);
            } catch (LinuxException e) {
                // without CAP_NET_ADMIN the default buffer (wmem_default) stays: fewer packets in flight, still correct
            }
            final MemorySegment address = setup.allocate(SockaddrLl.LAYOUT);
            SockaddrLl.FAMILY.set(address, (short) PacketSocketConstants.AF_PACKET);
            SockaddrLl.PROTOCOL.set(address, (short) 0); // receive nothing
            SockaddrLl.IFINDEX.set(address, ifindex);
            Libc.bind(fd, address, "AF_PACKET (vnet header)" + on);
            return new VnetPacketSender(fd, interfaceName, frames);
        } catch (RuntimeException e) {
            Libc.close(fd, "AF_PACKET (vnet header) on " + interfaceName);
            throw e;
        }
    }

    public String interfaceName() {
        return interfaceName;
    }

    /** True when {@link #queue} would take another packet before the next {@link #flush}. */
    public boolean hasRoom() {
        return queued < MAX_PACKETS;
    }

    /**
     * Queues the IPv4 TCP super-packet whose frames are {@code frameAddress[0..frameCount)} (offsets
     * into the frame memory; the first is {@code head}, whose chain the pool holds) with
     * {@code frameLength} bytes each, {@code totalBytes} in all. Its TCP checksum field must hold the
     * pseudo-header sum (partial). The caller checked {@link #hasRoom()} and
     * {@code frameCount <= MAX_FRAMES}. {@code segments}: how many MTU segments it stands for (counted).
     */
    public void queue(long head, long[] frameAddress, int[] frameLength, int frameCount, int totalBytes, int ipHeaderBytes,
                      int tcpHeaderBytes, int mssBytes, boolean ecn, int segments) {
        final int i = queued++;
        VirtioNetHeader.writeTcpGso(headers, (long) i * HEADER_STRIDE_BYTES, 14, ipHeaderBytes, tcpHeaderBytes, mssBytes, false, ecn);
        final long first = (long) i * IOVECS_PER_MESSAGE * MmsgDescriptor.IOVEC_BYTES + MmsgDescriptor.IOVEC_BYTES;
        for (int k = 0; k < frameCount; k++) {
            final long iovec = first + (long) k * MmsgDescriptor.IOVEC_BYTES;
            iovecs.set(ValueLayout.JAVA_LONG, iovec + MmsgDescriptor.IOVEC_BASE_OFFSET, framesBase + frameAddress[k]);
            iovecs.set(ValueLayout.JAVA_LONG, iovec + MmsgDescriptor.IOVEC_LEN_OFFSET, frameLength[k]);
        }
        messages.set(ValueLayout.JAVA_LONG, (long) i * MmsgDescriptor.MMSGHDR_BYTES + MmsgDescriptor.IOVLEN_OFFSET, 1L + frameCount);
        heads[i] = head;
        bytes[i] = totalBytes;
        this.segments[i] = segments;
    }

    /** Packets queued since the last {@link #flush} (a packet queued after them must not overtake them). */
    public int queued() {
        return queued - first;
    }

    /**
     * Queues an ordinary packet in one frame ({@code address}, {@code lengthBytes}; checksums
     * complete) behind the super-packets already queued, with an all-zero virtio_net_hdr: the port
     * sends it this way rather than on its AF_XDP TX ring so that it cannot overtake them (two
     * paths to one veth reorder a TCP stream, and the receiver's duplicate ACKs make the sender
     * retransmit). The caller checked {@link #hasRoom()}. The frame goes back to the pool at
     * {@link #flush}, as a chain does.
     */
    public void queueFrame(long address, int lengthBytes) {
        final int i = queued++;
        VirtioNetHeader.writeNone(headers, (long) i * HEADER_STRIDE_BYTES);
        final long iovec = (long) i * IOVECS_PER_MESSAGE * MmsgDescriptor.IOVEC_BYTES + MmsgDescriptor.IOVEC_BYTES;
        iovecs.set(ValueLayout.JAVA_LONG, iovec + MmsgDescriptor.IOVEC_BASE_OFFSET, framesBase + address);
        iovecs.set(ValueLayout.JAVA_LONG, iovec + MmsgDescriptor.IOVEC_LEN_OFFSET, lengthBytes);
        messages.set(ValueLayout.JAVA_LONG, (long) i * MmsgDescriptor.MMSGHDR_BYTES + MmsgDescriptor.IOVLEN_OFFSET, 2L);
        heads[i] = address;
        bytes[i] = lengthBytes;
        segments[i] = 1;
    }

    /**
     * Sends everything queued ({@code sendmmsg}, non-blocking) and gives every sent chain back to
     * {@code pool}. What a full send buffer refused (EAGAIN, ENOBUFS: the receiving pods have not
     * consumed earlier packets yet) stays queued in order for the next flush (TX_VNET_DEFERRED
     * counts such flushes): dropping a 64 KiB packet there costs the TCP stream 45 segments and a
     * window cut. What the kernel refused otherwise (device down) goes back to the pool, counted
     * TX_VNET_FAILED. Counts TX_PACKETS/TX_BYTES, TX_VNET_SENDS and TX_VNET_SEGMENTS for what the
     * kernel took. Returns the packets sent.
     */
    public int flush(FramePool pool, PortCounters counters) {
        if (queued == first) {
            return 0;
        }
        int next = first;
        boolean failed = false;
        for (int call = 0; call < MAX_CALLS_PER_FLUSH && next < queued; call++) {
            final int result = Libc.sendmmsgRaw(callState, fd, messagesFrom[next], queued - next, PosixConstants.MSG_DONTWAIT);
            if (result <= 0) {
                final int errno = result < 0 ? callState.errno() : Errno.EAGAIN;
                if (errno == Errno.EINTR) {
                    continue;
                }
                lastErrno = errno;
                failed = errno != Errno.EAGAIN && errno != Errno.ENOBUFS;
                break;
            }
            next += result;
        }
        final int sent = next - first;
        long sentBytes = 0;
        long sentSegments = 0;
        for (int i = first; i < next; i++) {
            sentBytes += bytes[i];
            sentSegments += segments[i];
            pool.release(heads[i]);
        }
        counters.addTransmitted(sent, sentBytes);
        if (sent != 0) {
            counters.add(PortCounters.Counter.TX_VNET_SENDS, sent);
            counters.add(PortCounters.Counter.TX_VNET_SEGMENTS, sentSegments);
        }
        if (failed) { // refused for good (device down, ...): dropped
            for (int i = next; i < queued; i++) {
                pool.release(heads[i]);
            }
            counters.add(PortCounters.Counter.TX_VNET_FAILED, queued - next);
            next = queued;
        } else if (next < queued) { // the send buffer is full (a refused call, or calls that each took only a part)
            counters.add(PortCounters.Counter.TX_VNET_DEFERRED, 1);
        }
        first = next;
        if (first == queued) {
            first = 0;
            queued = 0;
        }
        return sent;
    }

    /** The errno of the last refused sendmmsg (0: none yet); any thread, for diagnostics. */
    public int lastErrno() {
        return lastErrno;
    }

    /** Worker, after the port is detached: gives queued chains back unsent. */
    public void discard(FramePool pool) {
        for (int i = first; i < queued; i++) {
            pool.release(heads[i]);
        }
        first = 0;
        queued = 0;
    }

    /** Closes the socket; idempotent. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            try {
                Libc.close(fd, "AF_PACKET (vnet header) on " + interfaceName);
            } finally {
                arena.close();
            }
        }
    }
}
