package io.isthmus.fastpath.linux;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;
import java.lang.invoke.VarHandle;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * {@code struct xdp_mmap_offsets} ({@code getsockopt(SOL_XDP, XDP_MMAP_OFFSETS)}): for each of the
 * four rings, where its producer index, consumer index, descriptor array and flags word lie
 * inside the ring's mapping. Each ring is a {@code struct xdp_ring_offset}:
 *
 * <pre>
 *   0            8            16           24           32
 *   +------------+------------+------------+------------+
 *   |  producer  |  consumer  |    desc    |   flags    |   xdp_ring_offset
 *   +------------+------------+------------+------------+
 *
 *   0        32       64       96       128
 *   +--------+--------+--------+--------+
 *   |   rx   |   tx   |   fr   |   cr   |                   xdp_mmap_offsets
 *   +--------+--------+--------+--------+
 * </pre>
 */
public final class XdpMmapOffsets {
    public static final StructLayout RING_OFFSET = MemoryLayout.structLayout(
            JAVA_LONG.withName("producer"),
            JAVA_LONG.withName("consumer"),
            JAVA_LONG.withName("desc"),
            JAVA_LONG.withName("flags"));
    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            RING_OFFSET.withName("rx"),
            RING_OFFSET.withName("tx"),
            RING_OFFSET.withName("fr"),
            RING_OFFSET.withName("cr"));

    /** The four rings, named as in the struct. */
    public enum Ring {
        RX("rx"), TX("tx"), FILL("fr"), COMPLETION("cr");

        final String field;
        public final VarHandle producer;
        public final VarHandle consumer;
        public final VarHandle desc;
        public final VarHandle flags;

        Ring(String field) {
            this.field = field;
            this.producer = Fields.of(LAYOUT, field, "producer");
            this.consumer = Fields.of(LAYOUT, field, "consumer");
            this.desc = Fields.of(LAYOUT, field, "desc");
            this.flags = Fields.of(LAYOUT, field, "flags");
        }

        /** The struct member name ({@code rx}, {@code tx}, {@code fr}, {@code cr}). */
        public String field() {
            return field;
        }
    }

    private XdpMmapOffsets() {
    }
}
