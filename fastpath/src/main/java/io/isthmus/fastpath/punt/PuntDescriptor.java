package io.isthmus.fastpath.punt;

/**
 * The layout of one message in a {@link PuntQueue} or an {@link InjectQueue}: a port id, the frame
 * length, then the frame bytes (Ethernet header first). It sits after the ring buffer's own 8-byte
 * record header (Agrona's {@code RecordDescriptor}: record length, message type), so it starts
 * 8-byte aligned.
 *
 * <pre>
 *   0                   4                   8
 *   +-------------------+-------------------+---------------------------- ... ---+
 *   | port (int32, LE)  | frame length (LE) | frame bytes (network order inside) |
 *   +-------------------+-------------------+---------------------------- ... ---+
 *   port: PuntQueue   = the ingress port the frame came in on (an id of the punting worker)
 *         InjectQueue = the egress port the worker sends the frame out of
 * </pre>
 */
public final class PuntDescriptor {
    /** Message type id of a frame record (ring buffers reserve negative ids for padding). */
    public static final int FRAME_MESSAGE_TYPE = 1;
    public static final int PORT_OFFSET = 0;
    public static final int FRAME_LENGTH_OFFSET = 4;
    public static final int FRAME_OFFSET = 8;
    public static final int HEADER_LENGTH = FRAME_OFFSET;

    /** The largest frame a queue carries: one 2048-byte fast-path frame. */
    public static final int MAX_FRAME_BYTES = 2048;

    private PuntDescriptor() {
    }
}
