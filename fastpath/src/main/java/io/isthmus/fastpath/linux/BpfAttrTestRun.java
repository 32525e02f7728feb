package io.isthmus.fastpath.linux;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;
import java.lang.invoke.VarHandle;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * {@code union bpf_attr} as used by {@code BPF_PROG_TEST_RUN} (the anonymous {@code test} struct),
 * up to {@code batch_size}: the kernel runs the program once per {@code repeat} on a copy of
 * {@code data_in} and writes back {@code retval}, {@code duration} and the (possibly rewritten)
 * frame.
 *
 * <pre>
 *   0 prog_fd | 4 retval | 8 data_size_in | 12 data_size_out | 16 data_in (ptr) | 24 data_out (ptr)
 *   32 repeat | 36 duration | 40 ctx_size_in | 44 ctx_size_out | 48 ctx_in (ptr) | 56 ctx_out (ptr)
 *   64 flags | 68 cpu | 72 batch_size | 76
 * </pre>
 */
public final class BpfAttrTestRun {
    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("prog_fd"),
            JAVA_INT.withName("retval"),
            JAVA_INT.withName("data_size_in"),
            JAVA_INT.withName("data_size_out"),
            JAVA_LONG.withName("data_in"),
            JAVA_LONG.withName("data_out"),
            JAVA_INT.withName("repeat"),
            JAVA_INT.withName("duration"),
            JAVA_INT.withName("ctx_size_in"),
            JAVA_INT.withName("ctx_size_out"),
            JAVA_LONG.withName("ctx_in"),
            JAVA_LONG.withName("ctx_out"),
            JAVA_INT.withName("flags"),
            JAVA_INT.withName("cpu"),
            JAVA_INT.withName("batch_size"),
            MemoryLayout.paddingLayout(4));
    public static final VarHandle PROG_FD = Fields.of(LAYOUT, "prog_fd");
    public static final VarHandle RETVAL = Fields.of(LAYOUT, "retval");
    public static final VarHandle DATA_SIZE_IN = Fields.of(LAYOUT, "data_size_in");
    public static final VarHandle DATA_IN = Fields.of(LAYOUT, "data_in");
    public static final VarHandle REPEAT = Fields.of(LAYOUT, "repeat");

    private BpfAttrTestRun() {
    }
}
