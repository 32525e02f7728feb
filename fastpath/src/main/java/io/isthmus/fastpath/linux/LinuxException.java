package io.isthmus.fastpath.linux;

/**
 * A failed Linux call on the slow path (setup, teardown). The message names the call, the errno
 * number, its symbolic name and the C library's text, e.g.
 * {@code setsockopt(XDP_UMEM_REG) failed: errno 12 ENOMEM (Cannot allocate memory)}.
 *
 * <p>Fast-path callers never see this: they get raw return codes (see {@link Libc}).
 */
public class LinuxException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String call;
    private final int errno;

    public LinuxException(String call, int errno) {
        this(call, errno, null);
    }

    /** {@code detail} (may be null) is appended, e.g. the BPF verifier log. */
    public LinuxException(String call, int errno, String detail) {
        super(call + " failed: errno " + errno + " " + Errno.name(errno) + " (" + Errno.describe(errno) + ")"
                + (detail == null || detail.isBlank() ? "" : "\n" + detail));
        this.call = call;
        this.errno = errno;
    }

    /** The call that failed, with a hint of its arguments: {@code bind(AF_XDP ifindex=7)}. */
    public String call() {
        return call;
    }

    public int errno() {
        return errno;
    }
}
