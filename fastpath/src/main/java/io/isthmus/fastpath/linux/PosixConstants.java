package io.isthmus.fastpath.linux;

/**
 * Linux (x86-64 and arm64 share these) values for the libc calls in {@link Libc}: the one place
 * where the socket, memory and file numbers of {@code <sys/socket.h>}, {@code <asm-generic/socket.h>},
 * {@code <sys/mman.h>} and friends are written, for every module ({@code PosixConstantsDefinedOnceTest}
 * fails when another source file defines one of these names again). Protocol-specific numbers stay
 * with their protocol ({@link XdpConstants}, {@link PacketSocketConstants}, rtnetlink's {@code Rtnl}).
 */
public final class PosixConstants {
    private PosixConstants() {
    }

    // address families (<bits/socket.h>)
    public static final int AF_UNSPEC = 0;
    public static final int AF_INET = 2;
    public static final int AF_INET6 = 10;
    public static final int AF_NETLINK = 16;

    public static final int SOCK_DGRAM = 2;
    public static final int SOCK_RAW = 3;
    public static final int SOCK_CLOEXEC = 0x80000;

    // socket options (<asm-generic/socket.h>)
    public static final int SOL_SOCKET = 1;
    public static final int SO_RCVBUF = 8;
    public static final int SO_REUSEPORT = 15;
    public static final int SO_RCVTIMEO = 20;
    /** The send buffer size, past {@code wmem_max} (needs CAP_NET_ADMIN). */
    public static final int SO_SNDBUFFORCE = 32;

    public static final int PROT_READ = 0x1;
    public static final int PROT_WRITE = 0x2;
    public static final int MAP_SHARED = 0x01;
    public static final int MAP_PRIVATE = 0x02;
    public static final int MAP_ANONYMOUS = 0x20;
    public static final int MAP_POPULATE = 0x8000;
    /** {@code mmap}'s error return, {@code (void *) -1}. */
    public static final long MAP_FAILED = -1L;

    public static final int MSG_DONTWAIT = 0x40;
    /** {@code recvmmsg}: block for the first datagram only. */
    public static final int MSG_WAITFORONE = 0x10000;

    public static final short POLLIN = 0x1;
    public static final short POLLOUT = 0x4;

    public static final int O_RDONLY = 0;
    public static final int O_CLOEXEC = 0x80000;

    /** {@code setns} namespace type of a network namespace. */
    public static final int CLONE_NEWNET = 0x40000000;
}
