package io.isthmus.fastpath.linux;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;
import java.lang.invoke.VarHandle;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * {@code struct sockaddr_xdp} ({@code <linux/if_xdp.h>}): the address an AF_XDP socket binds to.
 *
 * <pre>
 *   0        2        4                8               12               16
 *   +--------+--------+----------------+----------------+----------------+
 *   | family | flags  |    ifindex     |    queue_id    | shared_umem_fd |
 *   +--------+--------+----------------+----------------+----------------+
 * </pre>
 */
public final class SockaddrXdp {
    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_SHORT.withName("sxdp_family"),
            JAVA_SHORT.withName("sxdp_flags"),
            JAVA_INT.withName("sxdp_ifindex"),
            JAVA_INT.withName("sxdp_queue_id"),
            JAVA_INT.withName("sxdp_shared_umem_fd"));
    public static final VarHandle FAMILY = Fields.of(LAYOUT, "sxdp_family");
    public static final VarHandle FLAGS = Fields.of(LAYOUT, "sxdp_flags");
    public static final VarHandle IFINDEX = Fields.of(LAYOUT, "sxdp_ifindex");
    public static final VarHandle QUEUE_ID = Fields.of(LAYOUT, "sxdp_queue_id");
    public static final VarHandle SHARED_UMEM_FD = Fields.of(LAYOUT, "sxdp_shared_umem_fd");

    private SockaddrXdp() {
    }
}
