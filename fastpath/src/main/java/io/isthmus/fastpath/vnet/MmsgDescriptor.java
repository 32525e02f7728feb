package io.isthmus.fastpath.vnet;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The Linux LP64 layouts {@code sendmmsg(2)} reads: {@code struct mmsghdr} (a {@code struct msghdr}
 * and the bytes sent) and {@code struct iovec}. Checked against the C headers by
 * {@code KernelHeadersLayoutTest}.
 *
 * <pre>
 *  struct mmsghdr (64 bytes)                       struct iovec (16 bytes)
 *  +0  msg_name        void *   (NULL: bound)      +0  iov_base  void *
 *  +8  msg_namelen     socklen_t                   +8  iov_len   size_t
 *  +16 msg_iov         struct iovec *
 *  +24 msg_iovlen      size_t
 *  +32 msg_control     void *   (NULL)
 *  +40 msg_controllen  size_t
 *  +48 msg_flags       int
 *  +56 msg_len         unsigned int (out: bytes sent)
 * </pre>
 */
public final class MmsgDescriptor {
    public static final StructLayout MSGHDR = MemoryLayout.structLayout(
            ADDRESS.withName("msg_name"),
            JAVA_INT.withName("msg_namelen"),
            MemoryLayout.paddingLayout(4),
            ADDRESS.withName("msg_iov"),
            JAVA_LONG.withName("msg_iovlen"),
            ADDRESS.withName("msg_control"),
            JAVA_LONG.withName("msg_controllen"),
            JAVA_INT.withName("msg_flags"),
            MemoryLayout.paddingLayout(4));
    public static final StructLayout MMSGHDR = MemoryLayout.structLayout(
            MSGHDR.withName("msg_hdr"),
            JAVA_INT.withName("msg_len"),
            MemoryLayout.paddingLayout(4));
    public static final StructLayout IOVEC = MemoryLayout.structLayout(
            ADDRESS.withName("iov_base"),
            JAVA_LONG.withName("iov_len"));

    public static final int IOV_OFFSET = 16;
    public static final int IOVLEN_OFFSET = 24;
    public static final int LEN_OFFSET = 56;
    public static final int MMSGHDR_BYTES = 64;
    public static final int IOVEC_BASE_OFFSET = 0;
    public static final int IOVEC_LEN_OFFSET = 8;
    public static final int IOVEC_BYTES = 16;

    private MmsgDescriptor() {
    }
}
