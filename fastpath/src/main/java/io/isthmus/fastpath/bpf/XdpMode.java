package io.isthmus.fastpath.bpf;

import io.isthmus.fastpath.linux.BpfConstants;

/** How an XDP program runs on an interface. */
public enum XdpMode {
    /** In the driver, before an skb exists ({@code XDP_FLAGS_DRV_MODE}); the fast one. */
    NATIVE(BpfConstants.XDP_FLAGS_DRV_MODE),
    /** Generic XDP on the skb ({@code XDP_FLAGS_SKB_MODE}); works on every device, slower. */
    GENERIC(BpfConstants.XDP_FLAGS_SKB_MODE);

    final int flags;

    XdpMode(int flags) {
        this.flags = flags;
    }

    public int flags() {
        return flags;
    }
}
