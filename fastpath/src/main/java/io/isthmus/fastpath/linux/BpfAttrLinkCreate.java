package io.isthmus.fastpath.linux;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;
import java.lang.invoke.VarHandle;

import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * {@code union bpf_attr} as used by {@code BPF_LINK_CREATE} ({@code attr.link_create}) for an
 * XDP link: the program, the interface, {@code BPF_XDP}, and the XDP mode flags.
 *
 * <pre>
 *   0          4                8             12       16
 *   +----------+----------------+-------------+--------+
 *   | prog_fd  | target_ifindex | attach_type | flags  |
 *   +----------+----------------+-------------+--------+
 * </pre>
 */
public final class BpfAttrLinkCreate {
    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("prog_fd"),
            JAVA_INT.withName("target_ifindex"),
            JAVA_INT.withName("attach_type"),
            JAVA_INT.withName("flags"));
    public static final VarHandle PROG_FD = Fields.of(LAYOUT, "prog_fd");
    public static final VarHandle TARGET_IFINDEX = Fields.of(LAYOUT, "target_ifindex");
    public static final VarHandle ATTACH_TYPE = Fields.of(LAYOUT, "attach_type");
    public static final VarHandle FLAGS = Fields.of(LAYOUT, "flags");

    private BpfAttrLinkCreate() {
    }
}
