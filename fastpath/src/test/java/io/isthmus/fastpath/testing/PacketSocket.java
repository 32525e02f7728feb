package io.isthmus.fastpath.testing;

import io.isthmus.fastpath.linux.CallState;
import io.isthmus.fastpath.linux.Errno;
import io.isthmus.fastpath.linux.Libc;
import io.isthmus.fastpath.linux.LinuxException;
import io.isthmus.fastpath.linux.PacketSocketConstants;
import io.isthmus.fastpath.linux.PollFd;
import io.isthmus.fastpath.linux.PosixConstants;
import io.isthmus.fastpath.linux.SockaddrLl;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;

/**
 * A raw packet socket (AF_PACKET, every EtherType) bound to {@code eth0} inside a pod: sends and
 * receives whole Ethernet frames as the pod, for frame-level tests over real interfaces.
 * Frames this socket sends are not received back.
 *
 * <p><b>Thread-safety:</b> one thread at a time (tests).
 */
public final class PacketSocket implements AutoCloseable {
    private static final int MAX_FRAME_BYTES = 9216;

    private final Arena arena = Arena.ofShared();
    private final CallState state = new CallState(arena);
    private final MemorySegment buffer = arena.allocate(MAX_FRAME_BYTES);
    private final MemorySegment pollFd = arena.allocate(PollFd.LAYOUT);
    private final int fd;
    private final String name;

    private PacketSocket(int fd, String name) {
        this.fd = fd;
        this.name = name;
        PollFd.set(pollFd, fd, PosixConstants.POLLIN);
    }

    /** Opens the socket from a thread inside {@code pod}'s network namespace and binds it to eth0 there. */
    public static PacketSocket openOnEth0(Pod pod) throws Exception {
        final int fd = pod.callInside(() -> {
            final int socket = Libc.socket(PacketSocketConstants.AF_PACKET,
                    PosixConstants.SOCK_RAW | PosixConstants.SOCK_CLOEXEC, PacketSocketConstants.ethPAllNetworkOrder());
            try (Arena arena = Arena.ofConfined()) {
                Libc.setsockoptInt(socket, PacketSocketConstants.SOL_PACKET, PacketSocketConstants.PACKET_IGNORE_OUTGOING, 1,
                        "PACKET_IGNORE_OUTGOING");
                final MemorySegment address = arena.allocate(SockaddrLl.LAYOUT);
                SockaddrLl.FAMILY.set(address, (short) PacketSocketConstants.AF_PACKET);
                SockaddrLl.PROTOCOL.set(address, (short) PacketSocketConstants.ethPAllNetworkOrder());
                SockaddrLl.IFINDEX.set(address, Libc.ifNameToIndex("eth0"));
                Libc.bind(socket, address, "AF_PACKET eth0 in " + pod.netns());
                return socket;
            } catch (RuntimeException e) {
                Libc.close(socket, "packet socket");
                throw e;
            }
        });
        return new PacketSocket(fd, "eth0 of " + pod.netns());
    }

    /** Sends one frame; waits (at most 5 s) while the device queue is full. */
    public void send(byte[] frame) {
        MemorySegment.copy(frame, 0, buffer, ValueLayout.JAVA_BYTE, 0, frame.length);
        final long deadlineNs = System.nanoTime() + 5_000_000_000L;
        while (Libc.sendtoRaw(state, fd, buffer, frame.length, PosixConstants.MSG_DONTWAIT) < 0) {
            final int errno = state.errno();
            if ((errno != Errno.EAGAIN && errno != Errno.ENOBUFS) || System.nanoTime() > deadlineNs) {
                throw new LinuxException("send(packet socket on " + name + ", " + frame.length + " bytes)", errno);
            }
            Thread.onSpinWait();
        }
    }

    /** The next frame, or null when none arrived within {@code timeout}. */
    public byte[] receive(Duration timeout) {
        final long deadlineNs = System.nanoTime() + timeout.toNanos();
        while (true) {
            final long received = Libc.recvfromRaw(state, fd, buffer, PosixConstants.MSG_DONTWAIT);
            if (received >= 0) {
                return buffer.asSlice(0, received).toArray(ValueLayout.JAVA_BYTE);
            }
            if (state.errno() != Errno.EAGAIN && state.errno() != Errno.EINTR) {
                throw new LinuxException("recvfrom(packet socket on " + name + ")", state.errno());
            }
            final long leftMs = (deadlineNs - System.nanoTime()) / 1_000_000L;
            if (leftMs <= 0) {
                return null;
            }
            Libc.pollRaw(state, pollFd, 1, (int) Math.min(leftMs, 1000));
        }
    }

    @Override
    public void close() {
        Libc.close(fd, "packet socket on " + name);
        arena.close();
    }
}
