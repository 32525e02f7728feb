package io.isthmus.slowpath.dns;

import io.isthmus.fastpath.linux.CallState;
import io.isthmus.fastpath.linux.Errno;
import io.isthmus.fastpath.linux.Libc;
import io.isthmus.fastpath.linux.LinuxException;
import io.isthmus.fastpath.linux.PosixConstants;

import java.io.Closeable;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.nio.ByteOrder;

import static io.isthmus.fastpath.linux.PosixConstants.AF_INET;
import static io.isthmus.fastpath.linux.PosixConstants.AF_INET6;
import static io.isthmus.fastpath.linux.PosixConstants.MSG_WAITFORONE;
import static io.isthmus.fastpath.linux.PosixConstants.SOCK_DGRAM;
import static io.isthmus.fastpath.linux.PosixConstants.SOL_SOCKET;
import static io.isthmus.fastpath.linux.PosixConstants.SO_RCVBUF;
import static io.isthmus.fastpath.linux.PosixConstants.SO_RCVTIMEO;
import static io.isthmus.fastpath.linux.PosixConstants.SO_REUSEPORT;

/**
 * A Linux UDP socket driven through FFM with {@code recvmmsg(2)} and {@code sendmmsg(2)}: up to
 * {@link #BATCH} datagrams per system call each way. Each slot of the batch has its own buffer
 * and its own peer address; a response goes back from the slot its query arrived in, so the
 * answer engine works in place in the slot.
 *
 * The layouts are in {@link MmsgHeaderDescriptor}.
 *
 * The socket has {@code SO_REUSEPORT} (several sockets, one per thread, share a port) and a
 * receive timeout, so a receiving thread notices {@link #close()} within
 * {@link #RECEIVE_TIMEOUT_MS}.
 *
 * <p>Thread-safety: one thread calls {@link #receive()}, {@link #respond}, {@link #flush()} and
 * finally {@link #release()}; {@link #close()} may come from any thread. close and release are
 * serialized by the monitor; the receive path takes no lock.
 */
final class MmsgUdpSocket implements Closeable {
    static final int BATCH = 32;
    static final int RECEIVE_TIMEOUT_MS = 200;

    private static final int NAME_BYTES = MmsgHeaderDescriptor.SOCKADDR_BYTES;
    private static final int MMSGHDR_BYTES = MmsgHeaderDescriptor.LENGTH_BYTES;
    private static final int IOVEC_BYTES = MmsgHeaderDescriptor.IOVEC_LENGTH_BYTES;
    private static final int SHUT_RDWR = 2;

    private static final ValueLayout.OfShort U16_BE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private final Arena arena = Arena.ofShared();
    private final int fd;
    private final int slotBytes;
    private final MemorySegment buffers;
    private final MemorySegment names;
    private final MemorySegment iovecs;
    private final MemorySegment receiveHeaders;
    private final MemorySegment sendIovecs;
    private final MemorySegment sendHeaders;
    private final CallState callState;
    private final CallState closeCallState;
    private final MemorySegment[] sendHeaderFrom = new MemorySegment[BATCH];
    private int pending;
    private volatile boolean closed;
    /** Guarded by the monitor: the descriptor is closed and the memory freed. */
    private boolean released;

    /** True where recvmmsg/sendmmsg can be called (Linux). */
    static boolean available() {
        return System.getProperty("os.name", "").startsWith("Linux") && ValueLayout.ADDRESS.byteSize() == 8;
    }

    /** Opens a socket bound to {@code address} with SO_REUSEPORT; slots of {@code slotBytes}. */
    MmsgUdpSocket(InetSocketAddress address, int slotBytes) throws IOException {
        this.slotBytes = slotBytes;
        this.callState = new CallState(arena);
        this.closeCallState = new CallState(arena);
        this.buffers = arena.allocate((long) slotBytes * BATCH, 64);
        this.names = arena.allocate((long) NAME_BYTES * BATCH, 8);
        this.iovecs = arena.allocate((long) IOVEC_BYTES * BATCH, 8);
        this.receiveHeaders = arena.allocate((long) MMSGHDR_BYTES * BATCH, 8);
        this.sendIovecs = arena.allocate((long) IOVEC_BYTES * BATCH, 8);
        this.sendHeaders = arena.allocate((long) MMSGHDR_BYTES * BATCH, 8);
        final boolean ipv4 = address.getAddress() instanceof Inet4Address;
        try {
            fd = Libc.socket(ipv4 ? AF_INET : AF_INET6, SOCK_DGRAM | PosixConstants.SOCK_CLOEXEC, 0);
        } catch (LinuxException e) {
            arena.close();
            throw new IOException(e.getMessage(), e);
        }
        try {
            Libc.setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, intValue(1), "SO_REUSEPORT");
            Libc.setsockopt(fd, SOL_SOCKET, SO_RCVBUF, intValue(4 << 20), "SO_RCVBUF");
            final MemorySegment timeout = arena.allocate(16, 8);
            timeout.set(ValueLayout.JAVA_LONG, 0, 0);
            timeout.set(ValueLayout.JAVA_LONG, 8, RECEIVE_TIMEOUT_MS * 1000L);
            Libc.setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, timeout, "SO_RCVTIMEO");
            final MemorySegment sockaddr = arena.allocate(ipv4 ? MmsgHeaderDescriptor.SOCKADDR_IN_LENGTH_BYTES
                    : MmsgHeaderDescriptor.SOCKADDR_IN6_LENGTH_BYTES, 8);
            final byte[] ip = address.getAddress().getAddress();
            sockaddr.set(ValueLayout.JAVA_SHORT, MmsgHeaderDescriptor.SOCKADDR_FAMILY_OFFSET, (short) (ipv4 ? AF_INET : AF_INET6));
            sockaddr.set(U16_BE, MmsgHeaderDescriptor.SOCKADDR_PORT_OFFSET, (short) address.getPort());
            MemorySegment.copy(MemorySegment.ofArray(ip), 0, sockaddr,
                    ipv4 ? MmsgHeaderDescriptor.SOCKADDR_IN_ADDRESS_OFFSET : MmsgHeaderDescriptor.SOCKADDR_IN6_ADDRESS_OFFSET, ip.length);
            Libc.bind(fd, sockaddr, "UDP " + address);
        } catch (LinuxException e) {
            closeFd();
            arena.close();
            throw new IOException(e.getMessage(), e);
        }
        for (int i = 0; i < BATCH; i++) {
            iovecs.set(ValueLayout.ADDRESS, (long) i * IOVEC_BYTES, buffers.asSlice((long) i * slotBytes, slotBytes));
            iovecs.set(ValueLayout.JAVA_LONG, (long) i * IOVEC_BYTES + MmsgHeaderDescriptor.IOVEC_LEN_OFFSET, slotBytes);
            final long header = (long) i * MMSGHDR_BYTES;
            receiveHeaders.set(ValueLayout.ADDRESS, header + MmsgHeaderDescriptor.NAME_OFFSET, names.asSlice((long) i * NAME_BYTES, NAME_BYTES));
            receiveHeaders.set(ValueLayout.ADDRESS, header + MmsgHeaderDescriptor.IOV_OFFSET, iovecs.asSlice((long) i * IOVEC_BYTES, IOVEC_BYTES));
            receiveHeaders.set(ValueLayout.JAVA_LONG, header + MmsgHeaderDescriptor.IOVLEN_OFFSET, 1);
            sendHeaders.set(ValueLayout.ADDRESS, header + MmsgHeaderDescriptor.IOV_OFFSET, sendIovecs.asSlice((long) i * IOVEC_BYTES, IOVEC_BYTES));
            sendHeaders.set(ValueLayout.JAVA_LONG, header + MmsgHeaderDescriptor.IOVLEN_OFFSET, 1);
            sendHeaderFrom[i] = sendHeaders.asSlice(header);
        }
    }

    private MemorySegment intValue(int value) {
        final MemorySegment segment = arena.allocate(ValueLayout.JAVA_INT);
        segment.set(ValueLayout.JAVA_INT, 0, value);
        return segment;
    }

    /** Every slot's buffer, back to back: slot {@code i} starts at {@code i * slotBytes()}. */
    MemorySegment buffers() {
        return buffers;
    }

    int slotBytes() {
        return slotBytes;
    }

    /**
     * Waits for at least one datagram (at most {@link #RECEIVE_TIMEOUT_MS}), takes up to
     * {@link #BATCH}. Returns how many slots were filled (0 on timeout or interruption), or -1
     * once the socket is closed.
     */
    int receive() {
        if (closed) {
            return -1;
        }
        for (int i = 0; i < BATCH; i++) {
            receiveHeaders.set(ValueLayout.JAVA_INT, (long) i * MMSGHDR_BYTES + MmsgHeaderDescriptor.NAMELEN_OFFSET, NAME_BYTES);
        }
        final int received = Libc.recvmmsgRaw(callState, fd, receiveHeaders, BATCH, MSG_WAITFORONE);
        if (received >= 0) {
            return closed ? -1 : received;
        }
        final int errno = callState.errno();
        return closed || (errno != Errno.EAGAIN && errno != Errno.EINTR) ? -1 : 0;
    }

    /** The length of the datagram received in slot {@code i}. */
    int receivedLength(int slot) {
        return receiveHeaders.get(ValueLayout.JAVA_INT, (long) slot * MMSGHDR_BYTES + MmsgHeaderDescriptor.LEN_OFFSET);
    }

    /** Queues the response in slot {@code i} ({@code length} bytes from the slot's start) to the slot's sender. */
    void respond(int slot, int length) {
        final long header = (long) pending * MMSGHDR_BYTES;
        final long iovec = (long) pending * IOVEC_BYTES;
        // Pointers written as 64-bit integers: no MemorySegment made per response (LP64 only, see available()).
        sendIovecs.set(ValueLayout.JAVA_LONG, iovec + MmsgHeaderDescriptor.IOVEC_BASE_OFFSET, buffers.address() + (long) slot * slotBytes);
        sendIovecs.set(ValueLayout.JAVA_LONG, iovec + MmsgHeaderDescriptor.IOVEC_LEN_OFFSET, length);
        sendHeaders.set(ValueLayout.JAVA_LONG, header + MmsgHeaderDescriptor.NAME_OFFSET, names.address() + (long) slot * NAME_BYTES);
        sendHeaders.set(ValueLayout.JAVA_INT, header + MmsgHeaderDescriptor.NAMELEN_OFFSET,
                receiveHeaders.get(ValueLayout.JAVA_INT, (long) slot * MMSGHDR_BYTES + MmsgHeaderDescriptor.NAMELEN_OFFSET));
        pending++;
    }

    /** Sends every queued response; a datagram the kernel refuses (a vanished peer) is dropped. */
    void flush() {
        int sent = 0;
        int attempts = 0;
        while (sent < pending && attempts++ < BATCH) {
            final int result = Libc.sendmmsgRaw(callState, fd, sendHeaderFrom[sent], pending - sent, 0);
            sent += result > 0 ? result : 1; // an error concerns the first unsent datagram: skip it
        }
        pending = 0;
    }

    private void closeFd() {
        try {
            Libc.close(fd, "DNS UDP socket");
        } catch (LinuxException ignored) {
            // closing anyway: nothing more can be done with the descriptor
        }
    }

    /**
     * Stops the receiver: marks the socket closed and shuts it down (which wakes a blocked
     * {@code recvmmsg}; the receive timeout would anyway). The descriptor is closed by
     * {@link #release()}, never concurrently with this: both hold the monitor, so a descriptor
     * number already closed (and perhaps reused by another socket) is never shut down.
     */
    @Override
    public synchronized void close() {
        closed = true;
        if (released) {
            return;
        }
        Libc.shutdownRaw(closeCallState, fd, SHUT_RDWR); // a failure is fine: the receive timeout wakes the receiver anyway
    }

    /** Closes the descriptor and frees the memory; called by the receiving thread once it has stopped. */
    synchronized void release() {
        if (released) {
            return;
        }
        released = true;
        closeFd();
        arena.close();
    }
}
