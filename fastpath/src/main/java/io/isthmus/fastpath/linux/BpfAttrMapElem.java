package io.isthmus.fastpath.linux;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;
import java.lang.invoke.VarHandle;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * {@code union bpf_attr} as used by {@code BPF_MAP_LOOKUP_ELEM}, {@code BPF_MAP_UPDATE_ELEM} and
 * {@code BPF_MAP_DELETE_ELEM}: key and value are user-space pointers.
 *
 * <pre>
 *   0        4        8                16               24               32
 *   +--------+--------+----------------+----------------+----------------+
 *   | map_fd |  pad   |   key (ptr)    |  value (ptr)   |     flags      |
 *   +--------+--------+----------------+----------------+----------------+
 * </pre>
 */
public final class BpfAttrMapElem {
    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("map_fd"),
            MemoryLayout.paddingLayout(4),
            JAVA_LONG.withName("key"),
            JAVA_LONG.withName("value"),
            JAVA_LONG.withName("flags"));
    public static final VarHandle MAP_FD = Fields.of(LAYOUT, "map_fd");
    public static final VarHandle KEY = Fields.of(LAYOUT, "key");
    public static final VarHandle VALUE = Fields.of(LAYOUT, "value");
    public static final VarHandle FLAGS = Fields.of(LAYOUT, "flags");

    private BpfAttrMapElem() {
    }
}
