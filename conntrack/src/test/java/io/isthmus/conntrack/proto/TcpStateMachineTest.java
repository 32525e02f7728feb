package io.isthmus.conntrack.proto;

import static io.isthmus.conntrack.ConntrackDescriptor.DIR_ORIGINAL;
import static io.isthmus.conntrack.ConntrackDescriptor.DIR_REPLY;
import static io.isthmus.conntrack.proto.TcpFlags.*;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.isthmus.conntrack.ConntrackState;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TcpStateMachineTest {

    private static int flags(String text) {
        int flags = 0;
        for (String part : text.split("\\+")) {
            flags |= switch (part) {
                case "SYN" -> SYN;
                case "ACK" -> ACK;
                case "FIN" -> FIN;
                case "RST" -> RST;
                case "PSH" -> PSH;
                case "NONE" -> 0;
                default -> throw new IllegalArgumentException(part);
            };
        }
        return flags;
    }

    private static String name(int result) {
        return switch (result) {
            case TcpStateMachine.IGNORE -> "IGNORE";
            case TcpStateMachine.INVALID -> "INVALID";
            default -> ConntrackState.byId(result).name();
        };
    }

    @ParameterizedTest(name = "{0} {1} {2} -> {3}")
    @CsvSource({
        // state, direction, flags, expected
        "NONE,            ORIG,  SYN,     TCP_SYN_SENT",
        "NONE,            ORIG,  ACK,     TCP_ESTABLISHED",
        "NONE,            ORIG,  FIN,     INVALID",
        "NONE,            ORIG,  RST,     INVALID",
        "NONE,            ORIG,  NONE,    INVALID",
        "TCP_SYN_SENT,    ORIG,  SYN,     TCP_SYN_SENT",
        "TCP_SYN_SENT,    REPLY, SYN+ACK, TCP_SYN_RECV",
        "TCP_SYN_SENT,    REPLY, RST,     TCP_CLOSE",
        "TCP_SYN_SENT,    ORIG,  ACK,     INVALID",
        "TCP_SYN_RECV,    ORIG,  ACK,     TCP_ESTABLISHED",
        "TCP_SYN_RECV,    REPLY, SYN+ACK, IGNORE",
        "TCP_ESTABLISHED, ORIG,  ACK,     TCP_ESTABLISHED",
        "TCP_ESTABLISHED, REPLY, PSH+ACK, TCP_ESTABLISHED",
        "TCP_ESTABLISHED, ORIG,  FIN+ACK, TCP_FIN_WAIT",
        "TCP_ESTABLISHED, REPLY, FIN+ACK, TCP_FIN_WAIT",
        "TCP_ESTABLISHED, ORIG,  RST,     TCP_CLOSE",
        "TCP_ESTABLISHED, REPLY, RST+ACK, TCP_CLOSE",
        "TCP_ESTABLISHED, ORIG,  SYN,     IGNORE",
        "TCP_FIN_WAIT,    REPLY, ACK,     TCP_CLOSE_WAIT",
        "TCP_FIN_WAIT,    REPLY, FIN+ACK, TCP_LAST_ACK",
        "TCP_CLOSE_WAIT,  REPLY, FIN+ACK, TCP_LAST_ACK",
        "TCP_LAST_ACK,    ORIG,  ACK,     TCP_TIME_WAIT",
        "TCP_TIME_WAIT,   ORIG,  ACK,     TCP_TIME_WAIT",
        "TCP_TIME_WAIT,   ORIG,  SYN,     TCP_SYN_SENT",
        "TCP_CLOSE,       ORIG,  SYN,     TCP_SYN_SENT",
        "TCP_CLOSE,       ORIG,  RST,     TCP_CLOSE",
    })
    void transitions(String state, String direction, String tcpFlags, String expected) {
        final int dir = direction.equals("ORIG") ? DIR_ORIGINAL : DIR_REPLY;
        assertEquals(expected, name(TcpStateMachine.next(ConntrackState.valueOf(state).id(), dir, flags(tcpFlags))));
    }

    @ParameterizedTest(name = "{0} then {1} assures: {2}")
    @CsvSource({
        "TCP_SYN_RECV,    TCP_ESTABLISHED, true",
        "TCP_ESTABLISHED, TCP_ESTABLISHED, true",
        "NONE,            TCP_ESTABLISHED, false",
        "TCP_SYN_SENT,    TCP_SYN_RECV,    false",
    })
    void assured(String from, String to, boolean assures) {
        assertEquals(assures, TcpStateMachine.assures(ConntrackState.valueOf(from).id(), ConntrackState.valueOf(to).id()));
    }
}
