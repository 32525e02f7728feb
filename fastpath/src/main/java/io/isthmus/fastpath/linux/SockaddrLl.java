package io.isthmus.fastpath.linux;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;
import java.lang.invoke.VarHandle;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * {@code struct sockaddr_ll} ({@code <linux/if_packet.h>}): the link-level address a packet
 * socket binds to (protocol in network byte order, interface index).
 *
 * <pre>
 *   0        2          4                8         10        11       12                 20
 *   +--------+----------+----------------+---------+---------+--------+------------------+
 *   | family | protocol |    ifindex     | hatype  | pkttype | halen  |   addr[8]        |
 *   +--------+----------+----------------+---------+---------+--------+------------------+
 * </pre>
 */
public final class SockaddrLl {
    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_SHORT.withName("sll_family"),
            JAVA_SHORT.withName("sll_protocol"),
            JAVA_INT.withName("sll_ifindex"),
            JAVA_SHORT.withName("sll_hatype"),
            JAVA_BYTE.withName("sll_pkttype"),
            JAVA_BYTE.withName("sll_halen"),
            MemoryLayout.sequenceLayout(8, JAVA_BYTE).withName("sll_addr"));
    public static final VarHandle FAMILY = Fields.of(LAYOUT, "sll_family");
    public static final VarHandle PROTOCOL = Fields.of(LAYOUT, "sll_protocol");
    public static final VarHandle IFINDEX = Fields.of(LAYOUT, "sll_ifindex");

    private SockaddrLl() {
    }
}
