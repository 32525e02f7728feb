package io.isthmus.fastpath.linux;

import java.lang.foreign.MemorySegment;

/**
 * Linux errno values: the ones Isthmus tests for by name, and {@link #name}/{@link #describe} for
 * messages. Numbers are the generic Linux ones (x86-64 and arm64 agree).
 */
public final class Errno {
    public static final int EPERM = 1;
    public static final int ENOENT = 2;
    public static final int EINTR = 4;
    public static final int EBADF = 9;
    public static final int EAGAIN = 11;
    public static final int ENOMEM = 12;
    public static final int EACCES = 13;
    public static final int EFAULT = 14;
    public static final int EBUSY = 16;
    public static final int EEXIST = 17;
    public static final int ENODEV = 19;
    public static final int EINVAL = 22;
    public static final int ENOSPC = 28;
    public static final int ENOSYS = 38;
    public static final int ENOTSOCK = 88;
    public static final int ENOPROTOOPT = 92;
    public static final int EPROTONOSUPPORT = 93;
    public static final int EOPNOTSUPP = 95;
    public static final int EAFNOSUPPORT = 97;
    public static final int ENETDOWN = 100;
    public static final int ENOBUFS = 105;
    /** Kernel-internal "operation not supported" that bpf() and drivers sometimes leak. */
    public static final int ENOTSUPP = 524;

    private Errno() {
    }

    /** The symbolic name ({@code EPERM}), or {@code E?<n>} for a number this table lacks. */
    public static String name(int errno) {
        return switch (errno) {
            case 1 -> "EPERM"; case 2 -> "ENOENT"; case 3 -> "ESRCH"; case 4 -> "EINTR"; case 5 -> "EIO";
            case 6 -> "ENXIO"; case 7 -> "E2BIG"; case 8 -> "ENOEXEC"; case 9 -> "EBADF"; case 10 -> "ECHILD";
            case 11 -> "EAGAIN"; case 12 -> "ENOMEM"; case 13 -> "EACCES"; case 14 -> "EFAULT";
            case 16 -> "EBUSY"; case 17 -> "EEXIST"; case 18 -> "EXDEV"; case 19 -> "ENODEV";
            case 20 -> "ENOTDIR"; case 21 -> "EISDIR"; case 22 -> "EINVAL"; case 23 -> "ENFILE";
            case 24 -> "EMFILE"; case 25 -> "ENOTTY"; case 27 -> "EFBIG"; case 28 -> "ENOSPC";
            case 30 -> "EROFS"; case 32 -> "EPIPE"; case 34 -> "ERANGE"; case 38 -> "ENOSYS";
            case 61 -> "ENODATA"; case 75 -> "EOVERFLOW"; case 88 -> "ENOTSOCK"; case 90 -> "EMSGSIZE";
            case 92 -> "ENOPROTOOPT"; case 93 -> "EPROTONOSUPPORT"; case 95 -> "EOPNOTSUPP";
            case 97 -> "EAFNOSUPPORT"; case 98 -> "EADDRINUSE"; case 99 -> "EADDRNOTAVAIL";
            case 100 -> "ENETDOWN"; case 105 -> "ENOBUFS"; case 106 -> "EISCONN"; case 110 -> "ETIMEDOUT";
            case 111 -> "ECONNREFUSED"; case 524 -> "ENOTSUPP";
            default -> "E?" + errno;
        };
    }

    /** The C library's text for {@code errno} ({@code strerror}); slow path only. */
    public static String describe(int errno) {
        if (errno == ENOTSUPP) {
            return "Operation not supported (kernel-internal ENOTSUPP)";
        }
        try {
            final MemorySegment text = (MemorySegment) Libc.STRERROR.invokeExact(errno);
            return text.reinterpret(256).getString(0);
        } catch (Throwable t) {
            return "unknown error";
        }
    }
}
