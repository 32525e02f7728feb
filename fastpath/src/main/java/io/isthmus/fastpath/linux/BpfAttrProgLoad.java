package io.isthmus.fastpath.linux;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * {@code union bpf_attr} as used by {@code BPF_PROG_LOAD}, up to {@code expected_attach_type}
 * (the kernel accepts a shorter attr; everything after is zero).
 *
 * <pre>
 *   0 prog_type | 4 insn_cnt | 8 insns (ptr) | 16 license (ptr) | 24 log_level | 28 log_size
 *   32 log_buf (ptr) | 40 kern_version | 44 prog_flags | 48 prog_name[16] | 64 prog_ifindex
 *   68 expected_attach_type | 72
 * </pre>
 */
public final class BpfAttrProgLoad {
    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("prog_type"),
            JAVA_INT.withName("insn_cnt"),
            JAVA_LONG.withName("insns"),
            JAVA_LONG.withName("license"),
            JAVA_INT.withName("log_level"),
            JAVA_INT.withName("log_size"),
            JAVA_LONG.withName("log_buf"),
            JAVA_INT.withName("kern_version"),
            JAVA_INT.withName("prog_flags"),
            MemoryLayout.sequenceLayout(BpfAttrMapCreate.OBJ_NAME_LEN, ValueLayout.JAVA_BYTE).withName("prog_name"),
            JAVA_INT.withName("prog_ifindex"),
            JAVA_INT.withName("expected_attach_type"));
    public static final VarHandle PROG_TYPE = Fields.of(LAYOUT, "prog_type");
    public static final VarHandle INSN_CNT = Fields.of(LAYOUT, "insn_cnt");
    public static final VarHandle INSNS = Fields.of(LAYOUT, "insns");
    public static final VarHandle LICENSE = Fields.of(LAYOUT, "license");
    public static final VarHandle LOG_LEVEL = Fields.of(LAYOUT, "log_level");
    public static final VarHandle LOG_SIZE = Fields.of(LAYOUT, "log_size");
    public static final VarHandle LOG_BUF = Fields.of(LAYOUT, "log_buf");
    public static final VarHandle PROG_FLAGS = Fields.of(LAYOUT, "prog_flags");
    public static final VarHandle EXPECTED_ATTACH_TYPE = Fields.of(LAYOUT, "expected_attach_type");
    public static final long PROG_NAME_OFFSET = LAYOUT.byteOffset(MemoryLayout.PathElement.groupElement("prog_name"));

    private BpfAttrProgLoad() {
    }
}
