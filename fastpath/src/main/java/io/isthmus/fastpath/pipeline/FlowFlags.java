package io.isthmus.fastpath.pipeline;

/** Bits of {@code PacketBatch.flowFlags[i]}, set by the stages that decide a new flow. */
public final class FlowFlags {
    private FlowFlags() {
    }

    /** The destination was rewritten to a Service backend (the packet is already DNATed). */
    public static final int DNAT = 1;
    /** The source must be rewritten to the node address and a port from the SNAT pool (at commit). */
    public static final int SNAT = 1 << 1;
    /** The backend is the client itself (implies SNAT). */
    public static final int HAIRPIN = 1 << 2;
    /** The frame is an answer the fast path built (TCP RST, ICMP unreachable): route it, decide nothing. */
    public static final int GENERATED = 1 << 3;
}
