package io.isthmus.fastpath.bpf;

import io.isthmus.fastpath.linux.BpfConstants;

import java.util.ArrayList;
import java.util.List;

/**
 * Builds the XDP program of a port: frames go to the AF_XDP socket registered in the XSKMAP for
 * their receive queue; frames for which a {@link HostTrafficCheck} says "host" stay in the kernel.
 *
 * <p>With no checks it is the 6-slot program:
 * <pre>
 *   r2 = *(u32 *)(r1 + rx_queue_index)   key = the frame's queue
 *   r1 = map[xskmap fd]                  LD_IMM64, BPF_PSEUDO_MAP_FD (2 slots)
 *   r3 = XDP_PASS                        flags: action when the queue has no socket
 *   call bpf_redirect_map
 *   exit                                 r0 = XDP_REDIRECT, or XDP_PASS
 * </pre>
 * With checks, {@code r6 = r1} comes first (the context survives the checks' helper calls), the
 * checks follow in order, then the redirect, then the label {@code pass: r0 = XDP_PASS; exit}.
 *
 * <p><b>Thread-safety:</b> none; setup only.
 */
public final class XdpRedirectProgramBuilder {
    static final String PASS_LABEL = "pass";

    private final int xskMapFd;
    private final List<HostTrafficCheck> checks = new ArrayList<>();

    public XdpRedirectProgramBuilder(int xskMapFd) {
        this.xskMapFd = xskMapFd;
    }

    /** Adds a check run before the redirect, in the order added. */
    public XdpRedirectProgramBuilder passWhen(HostTrafficCheck check) {
        checks.add(check);
        return this;
    }

    public long[] build() {
        final BpfAssembler asm = new BpfAssembler();
        BpfRegister ctx = BpfRegister.R1;
        if (!checks.isEmpty()) {
            ctx = BpfRegister.R6;
            asm.mov64(ctx, BpfRegister.R1);
            for (int i = 0; i < checks.size(); i++) {
                checks.get(i).emit(asm, ctx, PASS_LABEL, "check" + i + "_");
            }
        }
        asm.ldx(BpfSize.W, BpfRegister.R2, ctx, BpfConstants.XDP_MD_RX_QUEUE_INDEX)
                .ldMapFd(BpfRegister.R1, xskMapFd)
                .mov64(BpfRegister.R3, BpfConstants.XDP_PASS)
                .call(BpfConstants.BPF_FUNC_REDIRECT_MAP)
                .exit();
        if (!checks.isEmpty()) {
            asm.label(PASS_LABEL).mov64(BpfRegister.R0, BpfConstants.XDP_PASS).exit();
        }
        return asm.assemble();
    }

    /** Builds and loads the program (single-buffer frames only). */
    public BpfProgram load(String name) {
        return BpfProgram.loadXdp(name, build());
    }

    /**
     * Builds and loads the program with {@code BPF_F_XDP_HAS_FRAGS}: the kernel then hands it
     * multi-buffer frames (a GSO super-packet, a frame larger than a page) instead of dropping or
     * linearising them. It may: the redirect reads only the context's queue index, and the
     * checks read headers within the first buffer (they bound-check against {@code data_end},
     * which is the end of the first buffer of a multi-buffer frame).
     */
    public BpfProgram loadAcceptingFragments(String name) {
        return BpfProgram.loadXdp(name, build(), BpfConstants.BPF_F_XDP_HAS_FRAGS);
    }
}
