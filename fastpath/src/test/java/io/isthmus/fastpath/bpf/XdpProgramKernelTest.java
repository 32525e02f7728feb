package io.isthmus.fastpath.bpf;

import io.isthmus.fastpath.linux.BpfConstants;
import io.isthmus.fastpath.linux.Libc;
import io.isthmus.fastpath.linux.LinuxException;
import io.isthmus.fastpath.testing.Pod;
import io.isthmus.fastpath.testing.PodExtension;
import io.isthmus.fastpath.testing.Privileges;
import io.isthmus.fastpath.testing.Shell;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The XSKMAP, the loader and the BPF link against the real kernel (root only; skipped visibly otherwise). */
class XdpProgramKernelTest {
    @RegisterExtension
    final PodExtension pods = new PodExtension();

    private static String xdpOf(String ifname) {
        return Shell.check("ip", "-o", "link", "show", ifname);
    }

    @Test
    void loadsTheRedirectProgramAndAttachesItNativelyThenDetachesOnClose() {
        final Pod pod = pods.pod("10.200.0.2");
        final int ifindex = Libc.ifNameToIndex(pod.hostInterface());
        try (XskMap map = XskMap.create("isx_test", 4);
             BpfProgram program = new XdpRedirectProgramBuilder(map.fd()).load("isx_redirect")) {
            assertEquals(6, program.instructionCount());
            try (XdpLink link = XdpLink.attachPreferNative(program, ifindex)) {
                assertEquals(XdpMode.NATIVE, link.mode(), "veth supports native XDP");
                assertTrue(xdpOf(pod.hostInterface()).contains("xdp"), xdpOf(pod.hostInterface()));
            }
            assertFalse(xdpOf(pod.hostInterface()).contains("prog/xdp"), "closing the link fd detaches the program: "
                    + xdpOf(pod.hostInterface()));
            try (XdpLink link = XdpLink.attach(program, ifindex, XdpMode.GENERIC)) {
                assertEquals(XdpMode.GENERIC, link.mode());
                assertTrue(xdpOf(pod.hostInterface()).contains("xdpgeneric"), xdpOf(pod.hostInterface()));
            }
            assertFalse(xdpOf(pod.hostInterface()).contains("prog/xdp"), xdpOf(pod.hostInterface()));
        }
    }

    @Test
    void aProgramWithChecksPassesTheVerifier() {
        Privileges.assumeRootAndAfXdp();
        try (XskMap map = XskMap.create("isx_test", 1);
             BpfProgram program = new XdpRedirectProgramBuilder(map.fd())
                     .passWhen((asm, ctx, pass, prefix) -> asm
                             .ldx(BpfSize.W, BpfRegister.R2, ctx, BpfConstants.XDP_MD_INGRESS_IFINDEX)
                             .jump(JmpOp.JEQ, BpfRegister.R2, 1, pass))
                     .load("isx_checks")) {
            assertTrue(program.fd() > 0);
        }
    }

    @Test
    void theVerifierLogIsInTheExceptionWhenAProgramIsRejected() {
        Privileges.assumeRootAndAfXdp();
        final long[] readsUninitialisedR0 = new BpfAssembler().exit().assemble();
        final LinuxException e = assertThrows(LinuxException.class, () -> BpfProgram.loadXdp("isx_bad", readsUninitialisedR0));
        assertTrue(e.getMessage().contains("BPF_PROG_LOAD"), e.getMessage());
        assertTrue(e.getMessage().contains("EACCES") || e.getMessage().contains("EINVAL"), e.getMessage());
        assertTrue(e.getMessage().contains("verifier log:") && e.getMessage().contains("R0"), e.getMessage());
    }

    @Test
    void mapEntriesAreValidatedByTheKernel() {
        Privileges.assumeRootAndAfXdp();
        try (XskMap map = XskMap.create("isx_test", 2)) {
            final LinuxException notAnXsk = assertThrows(LinuxException.class, () -> map.put(0, map.fd()));
            assertTrue(notAnXsk.getMessage().contains("BPF_MAP_UPDATE_ELEM"), notAnXsk.getMessage());
            final LinuxException outOfRange = assertThrows(LinuxException.class, () -> map.delete(5));
            assertTrue(outOfRange.errno() > 0);
        }
    }
}
