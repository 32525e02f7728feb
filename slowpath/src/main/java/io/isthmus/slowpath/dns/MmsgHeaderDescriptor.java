package io.isthmus.slowpath.dns;

/**
 * The Linux LP64 layouts {@link MmsgUdpSocket} hands to {@code recvmmsg(2)}/{@code sendmmsg(2)}.
 *
 * <pre>
 *  struct mmsghdr (64 bytes)                       struct iovec (16 bytes)
 *  +0  msg_name        void *                      +0  iov_base  void *
 *  +8  msg_namelen     socklen_t (value-result)    +8  iov_len   size_t
 *  +12 (padding)
 *  +16 msg_iov         struct iovec *              struct sockaddr_in / sockaddr_in6
 *  +24 msg_iovlen      size_t                      +0  family    u16, host order
 *  +32 msg_control     void *                      +2  port      u16, network order
 *  +40 msg_controllen  size_t                      +4  IPv4 address (in) | flowinfo (in6)
 *  +48 msg_flags       int (out)                   +8  IPv6 address, 16 bytes (in6)
 *  +52 (padding)                                   +24 scope id (in6); 28 bytes in all
 *  +56 msg_len         unsigned int (out: bytes)
 *  +60 (padding)
 * </pre>
 */
final class MmsgHeaderDescriptor {
    static final int NAME_OFFSET = 0;
    static final int NAMELEN_OFFSET = 8;
    static final int IOV_OFFSET = 16;
    static final int IOVLEN_OFFSET = 24;
    static final int LEN_OFFSET = 56;
    static final int LENGTH_BYTES = 64;

    static final int IOVEC_BASE_OFFSET = 0;
    static final int IOVEC_LEN_OFFSET = 8;
    static final int IOVEC_LENGTH_BYTES = 16;

    /** Room for a sockaddr_in6 (28 bytes), rounded up. */
    static final int SOCKADDR_BYTES = 32;
    static final int SOCKADDR_FAMILY_OFFSET = 0;
    static final int SOCKADDR_PORT_OFFSET = 2;
    static final int SOCKADDR_IN_ADDRESS_OFFSET = 4;
    static final int SOCKADDR_IN6_ADDRESS_OFFSET = 8;
    static final int SOCKADDR_IN_LENGTH_BYTES = 16;
    static final int SOCKADDR_IN6_LENGTH_BYTES = 28;

    private MmsgHeaderDescriptor() {
    }
}
