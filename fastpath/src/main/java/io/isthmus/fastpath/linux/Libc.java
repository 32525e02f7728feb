package io.isthmus.fastpath.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The C library calls Isthmus makes, bound through the FFM API (no JNI, no C of ours).
 *
 * <p>Two kinds of entry points:
 * <ul>
 *   <li><b>Slow path</b> (setup, teardown): {@link #socket}, {@link #bind}, {@link #setsockopt},
 *       {@link #getsockopt}, {@link #mmap}, {@link #munmap}, {@link #close}, {@link #ifNameToIndex},
 *       {@link #bpf}, {@link #setns}, {@link #open}. They throw {@link LinuxException} naming the
 *       call and the errno.</li>
 *   <li><b>Fast path</b> (ring wake-ups): {@link #sendtoRaw}, {@link #recvfromRaw}, {@link #pollRaw}.
 *       They return the raw result ({@code -1} on failure, errno in the caller's {@link CallState}),
 *       never throw and allocate nothing.</li>
 * </ul>
 *
 * <p><b>Thread-safety:</b> stateless; every method may be called from any thread. A
 * {@link CallState} belongs to one thread.
 */
@SuppressWarnings("restricted") // binding native functions and sizing the memory they return is this class's purpose
public final class Libc {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final Linker.Option ERRNO = Linker.Option.captureCallState("errno");

    static final MethodHandle STRERROR = plain("strerror", FunctionDescriptor.of(ADDRESS, JAVA_INT));
    private static final MethodHandle SOCKET = withErrno("socket", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle BIND = withErrno("bind", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle SETSOCKOPT = withErrno("setsockopt",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle GETSOCKOPT = withErrno("getsockopt",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle MMAP = withErrno("mmap",
            FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG));
    private static final MethodHandle MUNMAP = withErrno("munmap", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle POLL = withErrno("poll", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    private static final MethodHandle SENDTO = withErrno("sendto",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle RECVFROM = withErrno("recvfrom",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle CLOSE = withErrno("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle IF_NAMETOINDEX = withErrno("if_nametoindex", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle SETNS = withErrno("setns", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle OPEN = withErrno("open", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT),
            Linker.Option.firstVariadicArg(2));
    /** {@code long syscall(long number, ...)}; every variadic argument is passed as a full register (long). */
    private static final MethodHandle SYSCALL3 = withErrno("syscall",
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG), Linker.Option.firstVariadicArg(1));
    private static final MethodHandle GETEUID = plain("geteuid", FunctionDescriptor.of(JAVA_INT));
    private static final MethodHandle RECVMMSG = withErrno("recvmmsg",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS));
    private static final MethodHandle SENDMMSG = withErrno("sendmmsg", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
    private static final MethodHandle SHUTDOWN = withErrno("shutdown", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle IOCTL = withErrno("ioctl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS),
            Linker.Option.firstVariadicArg(2));

    /** {@code __NR_bpf} of this machine's architecture. */
    private static final long SYS_BPF = switch (System.getProperty("os.arch")) {
        case "amd64", "x86_64" -> 321L;
        case "aarch64", "arm64" -> 280L;
        default -> -1L;
    };

    private Libc() {
    }

    private static MethodHandle withErrno(String name, FunctionDescriptor descriptor, Linker.Option... more) {
        final Linker.Option[] options = new Linker.Option[more.length + 1];
        options[0] = ERRNO;
        System.arraycopy(more, 0, options, 1, more.length);
        return LINKER.downcallHandle(symbol(name), descriptor, options);
    }

    private static MethodHandle plain(String name, FunctionDescriptor descriptor) {
        return LINKER.downcallHandle(symbol(name), descriptor);
    }

    private static MemorySegment symbol(String name) {
        return LIBC.find(name).orElseThrow(() -> new UnsatisfiedLinkError("libc has no symbol " + name));
    }

    private static RuntimeException unexpected(String call, Throwable t) {
        if (t instanceof RuntimeException r) {
            return r;
        }
        return new IllegalStateException("downcall " + call + " failed unexpectedly", t);
    }

    private static int check(String call, int result, CallState state) {
        if (result < 0) {
            throw new LinuxException(call, state.errno());
        }
        return result;
    }

    // ------------------------------------------------------------------ slow path

    /** {@code socket(domain, type, protocol)}; returns the new file descriptor. */
    public static int socket(int domain, int type, int protocol) {
        try (Arena arena = Arena.ofConfined()) {
            final CallState state = new CallState(arena);
            final int fd = (int) SOCKET.invokeExact(state.segment(), domain, type, protocol);
            return check("socket(domain=" + domain + ", type=" + type + ")", fd, state);
        } catch (Throwable t) {
            throw unexpected("socket", t);
        }
    }

    /** {@code bind(fd, address, address.byteSize())}; {@code what} names the call in errors. */
    public static void bind(int fd, MemorySegment address, String what) {
        try (Arena arena = Arena.ofConfined()) {
            final CallState state = new CallState(arena);
            final int r = (int) BIND.invokeExact(state.segment(), fd, address, (int) address.byteSize());
            check("bind(" + what + ")", r, state);
        } catch (Throwable t) {
            throw unexpected("bind", t);
        }
    }

    /** {@code setsockopt(fd, level, option, value, value.byteSize())}; {@code what} names the option. */
    public static void setsockopt(int fd, int level, int option, MemorySegment value, String what) {
        try (Arena arena = Arena.ofConfined()) {
            final CallState state = new CallState(arena);
            final int r = (int) SETSOCKOPT.invokeExact(state.segment(), fd, level, option, value, (int) value.byteSize());
            check("setsockopt(" + what + ")", r, state);
        } catch (Throwable t) {
            throw unexpected("setsockopt", t);
        }
    }

    /** {@code setsockopt} of one {@code int} value. */
    public static void setsockoptInt(int fd, int level, int option, int value, String what) {
        try (Arena arena = Arena.ofConfined()) {
            setsockopt(fd, level, option, arena.allocateFrom(JAVA_INT, value), what);
        }
    }

    /**
     * {@code getsockopt(fd, level, option, value, &len)} with {@code len = value.byteSize()};
     * returns the length the kernel wrote.
     */
    public static int getsockopt(int fd, int level, int option, MemorySegment value, String what) {
        try (Arena arena = Arena.ofConfined()) {
            final CallState state = new CallState(arena);
            final MemorySegment length = arena.allocateFrom(JAVA_INT, (int) value.byteSize());
            final int r = (int) GETSOCKOPT.invokeExact(state.segment(), fd, level, option, value, length);
            check("getsockopt(" + what + ")", r, state);
            return length.get(JAVA_INT, 0);
        } catch (Throwable t) {
            throw unexpected("getsockopt", t);
        }
    }

    /** {@code mmap(NULL, length, prot, flags, fd, offset)}; the mapping as a segment of {@code length} bytes. */
    public static MemorySegment mmap(long length, int prot, int flags, int fd, long offset, String what) {
        try (Arena arena = Arena.ofConfined()) {
            final CallState state = new CallState(arena);
            final MemorySegment address = (MemorySegment) MMAP.invokeExact(state.segment(), MemorySegment.NULL,
                    length, prot, flags, fd, offset);
            if (address.address() == PosixConstants.MAP_FAILED) {
                throw new LinuxException("mmap(" + what + ", " + length + " bytes)", state.errno());
            }
            return address.reinterpret(length);
        } catch (Throwable t) {
            throw unexpected("mmap", t);
        }
    }

    /** {@code munmap} of a segment {@link #mmap} returned. */
    public static void munmap(MemorySegment mapping, String what) {
        try (Arena arena = Arena.ofConfined()) {
            final CallState state = new CallState(arena);
            final int r = (int) MUNMAP.invokeExact(state.segment(), mapping, mapping.byteSize());
            check("munmap(" + what + ")", r, state);
        } catch (Throwable t) {
            throw unexpected("munmap", t);
        }
    }

    /** {@code close(fd)}. */
    public static void close(int fd, String what) {
        try (Arena arena = Arena.ofConfined()) {
            final CallState state = new CallState(arena);
            final int r = (int) CLOSE.invokeExact(state.segment(), fd);
            check("close(" + what + " fd=" + fd + ")", r, state);
        } catch (Throwable t) {
            throw unexpected("close", t);
        }
    }

    /** {@code if_nametoindex(name)}; throws (ENODEV) when there is no such interface. */
    public static int ifNameToIndex(String name) {
        try (Arena arena = Arena.ofConfined()) {
            final CallState state = new CallState(arena);
            final int index = (int) IF_NAMETOINDEX.invokeExact(state.segment(), arena.allocateFrom(name));
            if (index == 0) {
                throw new LinuxException("if_nametoindex(" + name + ")", state.errno());
            }
            return index;
        } catch (Throwable t) {
            throw unexpected("if_nametoindex", t);
        }
    }

    /** {@code open(path, flags)}; returns the file descriptor. */
    public static int open(String path, int flags) {
        try (Arena arena = Arena.ofConfined()) {
            final CallState state = new CallState(arena);
            final int fd = (int) OPEN.invokeExact(state.segment(), arena.allocateFrom(path), flags, 0);
            return check("open(" + path + ")", fd, state);
        } catch (Throwable t) {
            throw unexpected("open", t);
        }
    }

    /** {@code setns(fd, nstype)}: moves the CALLING THREAD into the namespace {@code fd} refers to. */
    public static void setns(int fd, int nstype, String what) {
        try (Arena arena = Arena.ofConfined()) {
            final CallState state = new CallState(arena);
            final int r = (int) SETNS.invokeExact(state.segment(), fd, nstype);
            check("setns(" + what + ")", r, state);
        } catch (Throwable t) {
            throw unexpected("setns", t);
        }
    }

    /**
     * The {@code bpf(cmd, attr, size)} system call through {@code syscall(2)}. Returns its result
     * (a new fd for MAP_CREATE / PROG_LOAD / LINK_CREATE, 0 otherwise), or -1 with the errno in
     * {@code state}: callers build their own error (PROG_LOAD adds the verifier log).
     */
    public static long bpfRaw(CallState state, int cmd, MemorySegment attr) {
        if (SYS_BPF < 0) {
            throw new UnsupportedOperationException("bpf(): unknown syscall number on " + System.getProperty("os.arch"));
        }
        try {
            return (long) SYSCALL3.invokeExact(state.segment(), SYS_BPF, (long) cmd, attr.address(), attr.byteSize());
        } catch (Throwable t) {
            throw unexpected("bpf", t);
        }
    }

    /** {@link #bpfRaw} that throws {@link LinuxException} naming {@code what}. */
    public static long bpf(int cmd, MemorySegment attr, String what) {
        try (Arena arena = Arena.ofConfined()) {
            final CallState state = new CallState(arena);
            final long r = bpfRaw(state, cmd, attr);
            if (r < 0) {
                throw new LinuxException("bpf(" + what + ")", state.errno());
            }
            return r;
        }
    }

    /** {@code geteuid()}. */
    public static int geteuid() {
        try {
            return (int) GETEUID.invokeExact();
        } catch (Throwable t) {
            throw unexpected("geteuid", t);
        }
    }

    // ------------------------------------------------------------------ slow path: messages (netlink, ioctl)

    /** {@code sendto(fd, message, message.byteSize(), flags, NULL, 0)}; returns the bytes sent. */
    public static long send(int fd, MemorySegment message, int flags, String what) {
        try (Arena arena = Arena.ofConfined()) {
            final CallState state = new CallState(arena);
            final long sent = (long) SENDTO.invokeExact(state.segment(), fd, message, message.byteSize(), flags, MemorySegment.NULL, 0);
            if (sent < 0) {
                throw new LinuxException("send(" + what + ")", state.errno());
            }
            return sent;
        } catch (Throwable t) {
            throw unexpected("send", t);
        }
    }

    /** {@code recvfrom(fd, buffer, buffer.byteSize(), flags, NULL, NULL)}; returns the bytes received. */
    public static long receive(int fd, MemorySegment buffer, int flags, String what) {
        try (Arena arena = Arena.ofConfined()) {
            final CallState state = new CallState(arena);
            final long received = (long) RECVFROM.invokeExact(state.segment(), fd, buffer, buffer.byteSize(), flags,
                    MemorySegment.NULL, MemorySegment.NULL);
            if (received < 0) {
                throw new LinuxException("recv(" + what + ")", state.errno());
            }
            return received;
        } catch (Throwable t) {
            throw unexpected("recv", t);
        }
    }

    /** {@code ioctl(fd, request, argument)}; {@code what} names the request in errors. */
    public static int ioctl(int fd, long request, MemorySegment argument, String what) {
        try (Arena arena = Arena.ofConfined()) {
            final CallState state = new CallState(arena);
            final int r = (int) IOCTL.invokeExact(state.segment(), fd, request, argument);
            return check("ioctl(" + what + ")", r, state);
        } catch (Throwable t) {
            throw unexpected("ioctl", t);
        }
    }

    // ------------------------------------------------------------------ fast path: raw codes, no exception, no allocation

    /**
     * {@code sendto(fd, NULL, 0, flags, NULL, 0)}: the AF_XDP TX kick. Returns the raw result; on -1
     * the errno is in {@code state}.
     */
    public static long sendtoRaw(CallState state, int fd, int flags) {
        try {
            return (long) SENDTO.invokeExact(state.segment(), fd, MemorySegment.NULL, 0L, flags, MemorySegment.NULL, 0);
        } catch (Throwable t) {
            return -1L;
        }
    }

    /**
     * {@code sendto(fd, buffer, length, flags, NULL, 0)}: sends {@code length} bytes of
     * {@code buffer} (e.g. a whole frame on a bound packet socket). Raw result.
     */
    public static long sendtoRaw(CallState state, int fd, MemorySegment buffer, long length, int flags) {
        try {
            return (long) SENDTO.invokeExact(state.segment(), fd, buffer, length, flags, MemorySegment.NULL, 0);
        } catch (Throwable t) {
            return -1L;
        }
    }

    /** {@code recvfrom(fd, buffer, buffer.byteSize(), flags, NULL, NULL)}: bytes received, or -1. */
    public static long recvfromRaw(CallState state, int fd, MemorySegment buffer, int flags) {
        try {
            return (long) RECVFROM.invokeExact(state.segment(), fd, buffer, buffer.byteSize(), flags,
                    MemorySegment.NULL, MemorySegment.NULL);
        } catch (Throwable t) {
            return -1L;
        }
    }

    /** {@code recvfrom(fd, NULL, 0, flags, NULL, NULL)}: the AF_XDP RX / fill-ring wake-up. Raw result. */
    public static long recvfromRaw(CallState state, int fd, int flags) {
        try {
            return (long) RECVFROM.invokeExact(state.segment(), fd, MemorySegment.NULL, 0L, flags,
                    MemorySegment.NULL, MemorySegment.NULL);
        } catch (Throwable t) {
            return -1L;
        }
    }

    /** {@code poll(fds, count, timeoutMs)} over {@code struct pollfd} records ({@link PollFd}). Raw result. */
    public static int pollRaw(CallState state, MemorySegment pollFds, long count, int timeoutMs) {
        try {
            return (int) POLL.invokeExact(state.segment(), pollFds, count, timeoutMs);
        } catch (Throwable t) {
            return -1;
        }
    }

    /**
     * {@code recvmmsg(fd, messages, count, flags, NULL)} over {@code struct mmsghdr} records: the
     * batched receive of a socket server. Raw result; on -1 the errno is in {@code state}.
     */
    public static int recvmmsgRaw(CallState state, int fd, MemorySegment messages, int count, int flags) {
        try {
            return (int) RECVMMSG.invokeExact(state.segment(), fd, messages, count, flags, MemorySegment.NULL);
        } catch (Throwable t) {
            return -1;
        }
    }

    /** {@code sendmmsg(fd, messages, count, flags)}: the batched send. Raw result. */
    public static int sendmmsgRaw(CallState state, int fd, MemorySegment messages, int count, int flags) {
        try {
            return (int) SENDMMSG.invokeExact(state.segment(), fd, messages, count, flags);
        } catch (Throwable t) {
            return -1;
        }
    }

    /** {@code shutdown(fd, how)}: wakes a thread blocked on the socket. Raw result. */
    public static int shutdownRaw(CallState state, int fd, int how) {
        try {
            return (int) SHUTDOWN.invokeExact(state.segment(), fd, how);
        } catch (Throwable t) {
            return -1;
        }
    }
}
