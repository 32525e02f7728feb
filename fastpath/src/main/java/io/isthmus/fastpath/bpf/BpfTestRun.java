package io.isthmus.fastpath.bpf;

import io.isthmus.fastpath.linux.BpfAttrTestRun;
import io.isthmus.fastpath.linux.BpfConstants;
import io.isthmus.fastpath.linux.Libc;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

/**
 * Runs a loaded XDP program once on a frame in the kernel ({@code BPF_PROG_TEST_RUN}) and returns
 * its action ({@code XDP_PASS}, {@code XDP_REDIRECT}, ...), without attaching it anywhere: how the
 * steering programs are checked frame by frame, and a diagnostic ("what would the uplink do with
 * this frame?"). The kernel gives the program a context on the loopback device's queue 0; a
 * redirect is reported, not carried out.
 *
 * <p><b>Thread-safety:</b> none needed; each call is self-contained (slow path, tests).
 */
public final class BpfTestRun {
    private BpfTestRun() {
    }

    /** The XDP action {@code program} returns for {@code frame} (at least 14 bytes); throws when the kernel refuses the run. */
    public static int xdpAction(BpfProgram program, byte[] frame) {
        try (Arena arena = Arena.ofConfined()) {
            final MemorySegment data = arena.allocate(frame.length);
            MemorySegment.copy(frame, 0, data, JAVA_BYTE, 0, frame.length);
            final MemorySegment attr = arena.allocate(BpfAttrTestRun.LAYOUT);
            BpfAttrTestRun.PROG_FD.set(attr, program.fd());
            BpfAttrTestRun.DATA_IN.set(attr, data.address());
            BpfAttrTestRun.DATA_SIZE_IN.set(attr, frame.length);
            BpfAttrTestRun.REPEAT.set(attr, 1);
            Libc.bpf(BpfConstants.BPF_PROG_TEST_RUN, attr, "BPF_PROG_TEST_RUN " + program.name() + " on a "
                    + frame.length + "-byte frame");
            return (int) BpfAttrTestRun.RETVAL.get(attr);
        }
    }
}
