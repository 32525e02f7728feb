package io.isthmus.fastpath.control.aeron;

/**
 * The control channel between slow path and fast path over Aeron IPC: two streams on one channel,
 * fixed binary messages read and written in place by flyweights (little-endian, Agrona buffers).
 *
 * <pre>
 *   slow path ──stream {@value #REQUEST_STREAM_ID}: BEGIN_SYNC END_SYNC UPSERT DELETE ATTACH_PORT DETACH_PORT──▶ fast path
 *   slow path ◀──stream {@value #REPLY_STREAM_ID}: ACK, PUNT (frames), EVENT (drops, verdicts)────────────── fast path
 *
 *   Every message starts with the header ({@link MessageHeaderFlyweight}):
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-------------------------------+-------------------------------+
 *   |          type (u16)           |         version (u16)         |
 *   +-------------------------------+-------------------------------+
 *   |                  length of the whole message (i32)            |
 *   +---------------------------------------------------------------+
 *   |                     correlation id (i64)                      |
 *   |                                                               |
 *   +---------------------------------------------------------------+
 *   |                          epoch (i64)                          |
 *   |                                                               |
 *   +---------------------------------------------------------------+
 *   |                 body (depends on type), see the flyweights     ...
 * </pre>
 *
 * <p>The correlation id is the client's, unique per client; an ACK carries the id of the request it
 * answers. The epoch is the slow path's sync epoch (BEGIN_SYNC/END_SYNC), 0 elsewhere.
 * Desired-record payloads are JSON (Jackson) inside an UPSERT body: see {@link DesiredPayloadCodec}.
 */
public final class ControlProtocol {
    public static final String CHANNEL = "aeron:ipc";
    public static final int REQUEST_STREAM_ID = 1001;
    public static final int REPLY_STREAM_ID = 1002;
    public static final short VERSION = 1;

    // message types
    public static final short BEGIN_SYNC = 1;
    public static final short END_SYNC = 2;
    public static final short UPSERT = 3;
    public static final short DELETE = 4;
    public static final short ATTACH_PORT = 5;
    public static final short DETACH_PORT = 6;
    public static final short ACK = 16;
    public static final short PUNT = 17;
    public static final short EVENT = 18;

    private ControlProtocol() {
    }

    /** A message type's name, for errors and logs. */
    public static String typeName(int type) {
        return switch (type) {
            case BEGIN_SYNC -> "BEGIN_SYNC";
            case END_SYNC -> "END_SYNC";
            case UPSERT -> "UPSERT";
            case DELETE -> "DELETE";
            case ATTACH_PORT -> "ATTACH_PORT";
            case DETACH_PORT -> "DETACH_PORT";
            case ACK -> "ACK";
            case PUNT -> "PUNT";
            case EVENT -> "EVENT";
            default -> "type " + type;
        };
    }
}
