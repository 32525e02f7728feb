package io.isthmus.conntrack.proto;

import static io.isthmus.conntrack.ConntrackState.*;

import io.isthmus.conntrack.ConntrackDescriptor;
import io.isthmus.conntrack.ConntrackState;

/**
 * The TCP connection state machine, after Linux's tcp_conntracks table
 * (net/netfilter/nf_conntrack_proto_tcp.c) without sequence-number window tracking: the next
 * state is a function of (direction, packet class, current state). Packet classes, in order of
 * precedence: RST, SYN+ACK, SYN, FIN, ACK; a segment with none of these is invalid.
 *
 * <p>Thread-safety: stateless; the tables are read-only after class initialisation.
 */
public final class TcpStateMachine {

    private TcpStateMachine() {
    }

    public static final int CLASS_SYN = 0;
    public static final int CLASS_SYNACK = 1;
    public static final int CLASS_FIN = 2;
    public static final int CLASS_ACK = 3;
    public static final int CLASS_RST = 4;
    public static final int CLASS_NONE = 5;

    /** Result: keep the state, accept the packet (Linux's sIG). */
    public static final int IGNORE = -1;
    /** Result: keep the state, the packet is invalid (Linux's sIV). */
    public static final int INVALID = -2;

    private static final int IG = IGNORE;
    private static final int IV = INVALID;
    private static final int NO = NONE.id();
    private static final int SS = TCP_SYN_SENT.id();
    private static final int SR = TCP_SYN_RECV.id();
    private static final int ES = TCP_ESTABLISHED.id();
    private static final int FW = TCP_FIN_WAIT.id();
    private static final int CW = TCP_CLOSE_WAIT.id();
    private static final int LA = TCP_LAST_ACK.id();
    private static final int TW = TCP_TIME_WAIT.id();
    private static final int CL = TCP_CLOSE.id();

    /** Columns: current state NONE, SYN_SENT, SYN_RECV, ESTABLISHED, FIN_WAIT, CLOSE_WAIT, LAST_ACK, TIME_WAIT, CLOSE. */
    private static final int[][][] NEXT = {
        { // original direction
            /* SYN    */ {SS, SS, IG, IG, IG, IG, IG, SS, SS},
            /* SYNACK */ {IV, IV, SR, IV, IV, IV, IV, IG, IG},
            /* FIN    */ {IV, IV, FW, FW, LA, LA, LA, TW, CL},
            /* ACK    */ {ES, IV, ES, ES, CW, CW, TW, TW, CL},
            /* RST    */ {IV, CL, CL, CL, CL, CL, CL, CL, CL},
            /* NONE   */ {IV, IV, IV, IV, IV, IV, IV, IV, IV},
        },
        { // reply direction
            /* SYN    */ {IV, IG, IV, IV, IV, IV, IV, SS, IV},
            /* SYNACK */ {IV, SR, IG, IG, IG, IG, IG, IG, IG},
            /* FIN    */ {IV, IV, FW, FW, LA, LA, LA, TW, CL},
            /* ACK    */ {IV, IG, SR, ES, CW, CW, TW, TW, CL},
            /* RST    */ {IV, CL, CL, CL, CL, CL, CL, CL, CL},
            /* NONE   */ {IV, IV, IV, IV, IV, IV, IV, IV, IV},
        },
    };

    /** The packet class of a segment's flags (Linux's get_conntrack_index). */
    public static int packetClass(int tcpFlags) {
        if ((tcpFlags & TcpFlags.RST) != 0) {
            return CLASS_RST;
        }
        if ((tcpFlags & TcpFlags.SYN) != 0) {
            return (tcpFlags & TcpFlags.ACK) != 0 ? CLASS_SYNACK : CLASS_SYN;
        }
        if ((tcpFlags & TcpFlags.FIN) != 0) {
            return CLASS_FIN;
        }
        if ((tcpFlags & TcpFlags.ACK) != 0) {
            return CLASS_ACK;
        }
        return CLASS_NONE;
    }

    /**
     * The next state id for a segment with {@code tcpFlags} travelling in {@code direction}
     * ({@link ConntrackDescriptor#DIR_ORIGINAL} or {@link ConntrackDescriptor#DIR_REPLY}), or
     * {@link #IGNORE} / {@link #INVALID}.
     */
    public static int next(int stateId, int direction, int tcpFlags) {
        if (stateId < NO || stateId > CL) {
            return INVALID;
        }
        return NEXT[direction][packetClass(tcpFlags)][stateId];
    }

    /** The first state of a connection opened by this segment, or {@code NONE} if it cannot open one. */
    public static ConntrackState initial(int tcpFlags) {
        final int next = next(NO, ConntrackDescriptor.DIR_ORIGINAL, tcpFlags);
        return next >= 0 ? ConntrackState.byId(next) : NONE;
    }

    /** Linux sets ASSURED once the handshake completed and the connection stays established. */
    public static boolean assures(int oldStateId, int newStateId) {
        return newStateId == ES && (oldStateId == SR || oldStateId == ES);
    }
}
