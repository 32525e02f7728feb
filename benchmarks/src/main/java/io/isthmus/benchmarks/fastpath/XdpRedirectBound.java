package io.isthmus.benchmarks.fastpath;

import io.isthmus.fastpath.bpf.BpfAssembler;
import io.isthmus.fastpath.bpf.BpfProgram;
import io.isthmus.fastpath.bpf.BpfRegister;
import io.isthmus.fastpath.bpf.XdpLink;
import io.isthmus.fastpath.bpf.XdpMode;
import io.isthmus.fastpath.linux.BpfConstants;
import io.isthmus.fastpath.linux.Libc;


/**
 * An upper bound for moving pod → pod forwarding into the kernel: attaches, natively, a program
 * that sends every frame arriving on {@code FROM} straight out of {@code TO} ({@code
 * bpf_redirect(ifindex(TO), 0)}: no lookup, no rewrite, no userspace), holds it for {@code SECONDS},
 * then detaches (closing the link; the process dying does the same). Used by
 * benchmarks/harness/xdp-redirect-bound.sh to measure the same generator and sink with no
 * dataplane work at all between them.
 *
 * <pre>
 *   r1 = ifindex(TO)
 *   r2 = 0
 *   call bpf_redirect
 *   exit               r0 = XDP_REDIRECT
 * </pre>
 *
 * Usage: {@code XdpRedirectBound FROM TO SECONDS} (root; FROM and TO in the caller's namespace).
 */
public final class XdpRedirectBound {
    private XdpRedirectBound() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            System.err.println("usage: XdpRedirectBound FROM_IF TO_IF SECONDS");
            System.exit(2);
        }
        final int from = Libc.ifNameToIndex(args[0]);
        final int to = Libc.ifNameToIndex(args[1]);
        final long seconds = Long.parseLong(args[2]);
        final long[] program = new BpfAssembler()
                .mov64(BpfRegister.R1, to)
                .mov64(BpfRegister.R2, 0)
                .call(BpfConstants.BPF_FUNC_REDIRECT)
                .exit()
                .assemble();
        try (BpfProgram loaded = BpfProgram.loadXdp("isx_bound", program);
             XdpLink link = XdpLink.attach(loaded, from, XdpMode.NATIVE)) {
            System.out.println("attached: " + args[0] + " -> " + args[1] + " (XDP native, bpf_redirect)");
            Thread.sleep(seconds * 1000);
        }
        System.out.println("detached");
    }
}
