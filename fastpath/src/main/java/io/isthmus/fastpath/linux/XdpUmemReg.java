package io.isthmus.fastpath.linux;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;
import java.lang.invoke.VarHandle;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * {@code struct xdp_umem_reg}: the argument of {@code setsockopt(SOL_XDP, XDP_UMEM_REG)}.
 * The last four bytes are padding in the Debian 6.1 headers and {@code tx_metadata_len} in newer
 * kernels; Isthmus leaves them zero (no TX metadata), which both read the same way.
 *
 * <pre>
 *   0                               8                              16
 *   +-------------------------------+-------------------------------+
 *   |             addr              |              len              |
 *   +---------------+---------------+---------------+---------------+
 *   |  chunk_size   |   headroom    |     flags     |  (zero pad)   |
 *   +---------------+---------------+---------------+---------------+
 *  16              20              24              28              32
 * </pre>
 */
public final class XdpUmemReg {
    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_LONG.withName("addr"),
            JAVA_LONG.withName("len"),
            JAVA_INT.withName("chunk_size"),
            JAVA_INT.withName("headroom"),
            JAVA_INT.withName("flags"),
            MemoryLayout.paddingLayout(4));
    public static final VarHandle ADDR = Fields.of(LAYOUT, "addr");
    public static final VarHandle LEN = Fields.of(LAYOUT, "len");
    public static final VarHandle CHUNK_SIZE = Fields.of(LAYOUT, "chunk_size");
    public static final VarHandle HEADROOM = Fields.of(LAYOUT, "headroom");
    public static final VarHandle FLAGS = Fields.of(LAYOUT, "flags");

    private XdpUmemReg() {
    }
}
