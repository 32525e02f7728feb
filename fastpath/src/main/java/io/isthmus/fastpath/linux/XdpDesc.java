package io.isthmus.fastpath.linux;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * {@code struct xdp_desc}: one RX or TX ring entry. The rings read and write it by offset (the
 * constants below), not through VarHandles with a fixed base, because entry {@code i} lies at
 * {@code desc + i * SIZE} of the ring's mapping.
 *
 * <pre>
 *   0                               8               12              16
 *   +-------------------------------+---------------+---------------+
 *   |        addr (UMEM offset)     |      len      |    options    |
 *   +-------------------------------+---------------+---------------+
 * </pre>
 */
public final class XdpDesc {
    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_LONG.withName("addr"), JAVA_INT.withName("len"), JAVA_INT.withName("options"));
    public static final long SIZE = LAYOUT.byteSize();
    public static final long ADDR_OFFSET = LAYOUT.byteOffset(MemoryLayout.PathElement.groupElement("addr"));
    public static final long LEN_OFFSET = LAYOUT.byteOffset(MemoryLayout.PathElement.groupElement("len"));
    public static final long OPTIONS_OFFSET = LAYOUT.byteOffset(MemoryLayout.PathElement.groupElement("options"));

    private XdpDesc() {
    }
}
