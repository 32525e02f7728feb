package io.isthmus.fastpath.linux;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;
import java.lang.invoke.VarHandle;

import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * {@code struct xdp_options} ({@code getsockopt(SOL_XDP, XDP_OPTIONS)}): one {@code __u32 flags};
 * {@link XdpConstants#XDP_OPTIONS_ZEROCOPY} says the socket runs in zero-copy mode.
 */
public final class XdpOptions {
    public static final StructLayout LAYOUT = MemoryLayout.structLayout(JAVA_INT.withName("flags"));
    public static final VarHandle FLAGS = Fields.of(LAYOUT, "flags");

    private XdpOptions() {
    }
}
