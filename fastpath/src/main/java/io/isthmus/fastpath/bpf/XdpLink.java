package io.isthmus.fastpath.bpf;

import io.isthmus.fastpath.linux.BpfAttrLinkCreate;
import io.isthmus.fastpath.linux.BpfConstants;
import io.isthmus.fastpath.linux.CallState;
import io.isthmus.fastpath.linux.Errno;
import io.isthmus.fastpath.linux.Libc;
import io.isthmus.fastpath.linux.LinuxException;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * An XDP program attached to an interface through a BPF link ({@code BPF_LINK_CREATE}, attach
 * type {@code BPF_XDP}). The attachment lives exactly as long as the link fd: closing it — or the
 * process dying — detaches the program. Nothing is pinned in bpffs.
 *
 * <p><b>Thread-safety:</b> slow path only; one owner.
 */
public final class XdpLink implements AutoCloseable {
    private final int fd;
    private final int ifindex;
    private final XdpMode mode;
    private boolean closed;

    private XdpLink(int fd, int ifindex, XdpMode mode) {
        this.fd = fd;
        this.ifindex = ifindex;
        this.mode = mode;
    }

    /** Attaches {@code program} to {@code ifindex} in {@code mode}; throws if the device refuses. */
    public static XdpLink attach(BpfProgram program, int ifindex, XdpMode mode) {
        try (Arena arena = Arena.ofConfined()) {
            final CallState state = new CallState(arena);
            final long fd = create(arena, state, program, ifindex, mode);
            if (fd < 0) {
                throw new LinuxException("bpf(BPF_LINK_CREATE XDP " + mode + " ifindex=" + ifindex + ")", state.errno());
            }
            return new XdpLink((int) fd, ifindex, mode);
        }
    }

    /** Attaches in native (driver) mode, or, when the device refuses that, in generic mode. */
    public static XdpLink attachPreferNative(BpfProgram program, int ifindex) {
        try (Arena arena = Arena.ofConfined()) {
            final CallState state = new CallState(arena);
            final long nativeFd = create(arena, state, program, ifindex, XdpMode.NATIVE);
            if (nativeFd >= 0) {
                return new XdpLink((int) nativeFd, ifindex, XdpMode.NATIVE);
            }
            final int nativeErrno = state.errno();
            final long genericFd = create(arena, state, program, ifindex, XdpMode.GENERIC);
            if (genericFd >= 0) {
                return new XdpLink((int) genericFd, ifindex, XdpMode.GENERIC);
            }
            throw new LinuxException("bpf(BPF_LINK_CREATE XDP ifindex=" + ifindex + ") in native mode (errno "
                    + nativeErrno + " " + Errno.name(nativeErrno) + ") and generic mode", state.errno());
        }
    }

    private static long create(Arena arena, CallState state, BpfProgram program, int ifindex, XdpMode mode) {
        final MemorySegment attr = arena.allocate(BpfAttrLinkCreate.LAYOUT);
        BpfAttrLinkCreate.PROG_FD.set(attr, program.fd());
        BpfAttrLinkCreate.TARGET_IFINDEX.set(attr, ifindex);
        BpfAttrLinkCreate.ATTACH_TYPE.set(attr, BpfConstants.BPF_XDP);
        BpfAttrLinkCreate.FLAGS.set(attr, mode.flags());
        return Libc.bpfRaw(state, BpfConstants.BPF_LINK_CREATE, attr);
    }

    public int fd() {
        return fd;
    }

    public int ifindex() {
        return ifindex;
    }

    /** The mode the kernel accepted. */
    public XdpMode mode() {
        return mode;
    }

    /** Detaches the program. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            Libc.close(fd, "XDP link ifindex=" + ifindex);
        }
    }
}
