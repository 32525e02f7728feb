package io.isthmus.fastpath.xsk;

import io.isthmus.fastpath.linux.XdpConstants;

/** How the first socket of a UMEM binds; sockets sharing the UMEM inherit the mode the kernel chose. */
public enum XskBindMode {
    /** Let the kernel choose: zero-copy where the driver supports it, else copy. */
    AUTO(0),
    /** Force copy mode ({@code XDP_COPY}): works on every device. */
    COPY(XdpConstants.XDP_COPY),
    /** Force zero-copy ({@code XDP_ZEROCOPY}): bind fails where the driver lacks it. */
    ZEROCOPY(XdpConstants.XDP_ZEROCOPY);

    final short flags;

    XskBindMode(int flags) {
        this.flags = (short) flags;
    }
}
