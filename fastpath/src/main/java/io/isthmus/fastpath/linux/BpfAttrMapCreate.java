package io.isthmus.fastpath.linux;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;
import java.lang.invoke.VarHandle;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * {@code union bpf_attr} as used by {@code BPF_MAP_CREATE} (the first anonymous struct).
 *
 * <pre>
 *   0 map_type | 4 key_size | 8 value_size | 12 max_entries | 16 map_flags | 20 inner_map_fd
 *   24 numa_node | 28 map_name[16] | 44 map_ifindex | 48 btf_fd | 52 btf_key_type_id
 *   56 btf_value_type_id | 60 btf_vmlinux_value_type_id | 64 map_extra (u64) | 72
 * </pre>
 */
public final class BpfAttrMapCreate {
    public static final int OBJ_NAME_LEN = 16;
    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("map_type"),
            JAVA_INT.withName("key_size"),
            JAVA_INT.withName("value_size"),
            JAVA_INT.withName("max_entries"),
            JAVA_INT.withName("map_flags"),
            JAVA_INT.withName("inner_map_fd"),
            JAVA_INT.withName("numa_node"),
            MemoryLayout.sequenceLayout(OBJ_NAME_LEN, JAVA_BYTE).withName("map_name"),
            JAVA_INT.withName("map_ifindex"),
            JAVA_INT.withName("btf_fd"),
            JAVA_INT.withName("btf_key_type_id"),
            JAVA_INT.withName("btf_value_type_id"),
            JAVA_INT.withName("btf_vmlinux_value_type_id"),
            JAVA_LONG.withName("map_extra"));
    public static final VarHandle MAP_TYPE = Fields.of(LAYOUT, "map_type");
    public static final VarHandle KEY_SIZE = Fields.of(LAYOUT, "key_size");
    public static final VarHandle VALUE_SIZE = Fields.of(LAYOUT, "value_size");
    public static final VarHandle MAX_ENTRIES = Fields.of(LAYOUT, "max_entries");
    public static final VarHandle MAP_FLAGS = Fields.of(LAYOUT, "map_flags");
    public static final long MAP_NAME_OFFSET = LAYOUT.byteOffset(MemoryLayout.PathElement.groupElement("map_name"));

    private BpfAttrMapCreate() {
    }
}
