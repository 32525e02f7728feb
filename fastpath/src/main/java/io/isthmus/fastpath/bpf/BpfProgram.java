package io.isthmus.fastpath.bpf;

import io.isthmus.fastpath.linux.BpfAttrProgLoad;
import io.isthmus.fastpath.linux.BpfConstants;
import io.isthmus.fastpath.linux.CallState;
import io.isthmus.fastpath.linux.Libc;
import io.isthmus.fastpath.linux.LinuxException;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * A loaded eBPF program (its fd). Loading is {@code BPF_PROG_LOAD} with the GPL license (needed
 * by {@code bpf_redirect_map}); when the verifier rejects the program the load is repeated with
 * {@code log_level 1} and the exception carries the verifier's log.
 *
 * <p><b>Thread-safety:</b> slow path only; one owner.
 */
public final class BpfProgram implements AutoCloseable {
    private static final int LOG_SIZE_BYTES = 1 << 20;

    private final int fd;
    private final String name;
    private final int instructionCount;
    private boolean closed;

    private BpfProgram(int fd, String name, int instructionCount) {
        this.fd = fd;
        this.name = name;
        this.instructionCount = instructionCount;
    }

    /** Loads {@code instructions} as an XDP program named {@code name} (15 chars at most). */
    public static BpfProgram loadXdp(String name, long[] instructions) {
        return loadXdp(name, instructions, 0);
    }

    /**
     * Loads {@code instructions} as an XDP program with {@code progFlags} ({@code bpf_attr.prog_flags},
     * e.g. {@link BpfConstants#BPF_F_XDP_HAS_FRAGS} for a program that accepts multi-buffer frames).
     */
    public static BpfProgram loadXdp(String name, long[] instructions, int progFlags) {
        try (Arena arena = Arena.ofConfined()) {
            final long fd = load(arena, name, instructions, progFlags, 0, MemorySegment.NULL);
            if (fd >= 0) {
                return new BpfProgram((int) fd, name, instructions.length);
            }
            final int firstErrno = (int) -fd;
            final MemorySegment log = arena.allocate(LOG_SIZE_BYTES);
            final long retry = load(arena, name, instructions, progFlags, 1, log);
            if (retry >= 0) { // accepted with logging on: keep it (rare; the first failure was transient)
                return new BpfProgram((int) retry, name, instructions.length);
            }
            throw new LinuxException("bpf(BPF_PROG_LOAD XDP " + name + ", " + instructions.length + " insns)",
                    firstErrno, "verifier log:\n" + log.getString(0).strip());
        }
    }

    /** Returns the fd, or -errno. */
    private static long load(Arena arena, String name, long[] instructions, int progFlags, int logLevel,
                             MemorySegment log) {
        final MemorySegment insns = arena.allocate(JAVA_LONG, instructions.length);
        MemorySegment.copy(instructions, 0, insns, JAVA_LONG, 0, instructions.length);
        final MemorySegment license = arena.allocateFrom("GPL");
        final MemorySegment attr = arena.allocate(BpfAttrProgLoad.LAYOUT);
        BpfAttrProgLoad.PROG_TYPE.set(attr, BpfConstants.BPF_PROG_TYPE_XDP);
        BpfAttrProgLoad.INSN_CNT.set(attr, instructions.length);
        BpfAttrProgLoad.INSNS.set(attr, insns.address());
        BpfAttrProgLoad.LICENSE.set(attr, license.address());
        BpfAttrProgLoad.EXPECTED_ATTACH_TYPE.set(attr, BpfConstants.BPF_XDP);
        BpfAttrProgLoad.PROG_FLAGS.set(attr, progFlags);
        if (logLevel > 0) {
            BpfAttrProgLoad.LOG_LEVEL.set(attr, logLevel);
            BpfAttrProgLoad.LOG_SIZE.set(attr, (int) log.byteSize());
            BpfAttrProgLoad.LOG_BUF.set(attr, log.address());
        }
        XskMap.copyName(attr, BpfAttrProgLoad.PROG_NAME_OFFSET, name);
        final CallState state = new CallState(arena);
        final long fd = Libc.bpfRaw(state, BpfConstants.BPF_PROG_LOAD, attr);
        return fd >= 0 ? fd : -state.errno();
    }

    public int fd() {
        return fd;
    }

    public String name() {
        return name;
    }

    public int instructionCount() {
        return instructionCount;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            Libc.close(fd, "BPF program " + name);
        }
    }
}
