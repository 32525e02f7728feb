package io.isthmus.fastpath.linux;

/** Values from {@code <linux/bpf.h>} and {@code <linux/if_link.h>} that Isthmus uses; checked by a test against the headers. */
public final class BpfConstants {
    private BpfConstants() {
    }

    // enum bpf_cmd
    public static final int BPF_MAP_CREATE = 0;
    public static final int BPF_MAP_LOOKUP_ELEM = 1;
    public static final int BPF_MAP_UPDATE_ELEM = 2;
    public static final int BPF_MAP_DELETE_ELEM = 3;
    public static final int BPF_PROG_LOAD = 5;
    public static final int BPF_PROG_TEST_RUN = 10;
    public static final int BPF_LINK_CREATE = 28;

    // enum bpf_map_type
    public static final int BPF_MAP_TYPE_HASH = 1;
    public static final int BPF_MAP_TYPE_ARRAY = 2;
    public static final int BPF_MAP_TYPE_XSKMAP = 17;

    // enum bpf_prog_type
    public static final int BPF_PROG_TYPE_XDP = 6;

    // enum bpf_attach_type
    public static final int BPF_XDP = 37;

    // bpf_attr.prog_flags
    /** The XDP program understands multi-buffer frames (it may see only the first buffer's bytes). */
    public static final int BPF_F_XDP_HAS_FRAGS = 1 << 5;

    // map update flags
    public static final long BPF_ANY = 0;

    // XDP attach flags (if_link.h)
    public static final int XDP_FLAGS_UPDATE_IF_NOEXIST = 1 << 0;
    public static final int XDP_FLAGS_SKB_MODE = 1 << 1;
    public static final int XDP_FLAGS_DRV_MODE = 1 << 2;

    // enum xdp_action
    public static final int XDP_ABORTED = 0;
    public static final int XDP_DROP = 1;
    public static final int XDP_PASS = 2;
    public static final int XDP_TX = 3;
    public static final int XDP_REDIRECT = 4;

    // helper function ids (enum bpf_func_id)
    public static final int BPF_FUNC_MAP_LOOKUP_ELEM = 1;
    public static final int BPF_FUNC_REDIRECT = 23;
    public static final int BPF_FUNC_REDIRECT_MAP = 51;

    /** src_reg of a LD_IMM64 whose immediate is a map file descriptor. */
    public static final int BPF_PSEUDO_MAP_FD = 1;

    // struct xdp_md field offsets (all __u32)
    public static final short XDP_MD_DATA = 0;
    public static final short XDP_MD_DATA_END = 4;
    public static final short XDP_MD_DATA_META = 8;
    public static final short XDP_MD_INGRESS_IFINDEX = 12;
    public static final short XDP_MD_RX_QUEUE_INDEX = 16;
    public static final short XDP_MD_EGRESS_IFINDEX = 20;
}
