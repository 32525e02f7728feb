package io.isthmus.conntrack.proto;

import static io.isthmus.conntrack.ConntrackDescriptor.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.isthmus.conntrack.ConntrackFlags;
import io.isthmus.conntrack.ConntrackState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ConntrackTrackingTest {

    private static int flags(String packet) {
        int flags = 0;
        for (char c : packet.substring(2).toCharArray()) {
            flags |= switch (c) {
                case 'S' -> TcpFlags.SYN;
                case 'A' -> TcpFlags.ACK;
                case 'F' -> TcpFlags.FIN;
                case 'R' -> TcpFlags.RST;
                case '-' -> 0;
                default -> throw new IllegalArgumentException(packet);
            };
        }
        return flags;
    }

    @ParameterizedTest(name = "{0}: {1} -> {2} assured={3}")
    @CsvSource({
        "6,  O:S R:SA O:A,                     TCP_ESTABLISHED, true",
        "6,  O:S R:SA,                          TCP_SYN_RECV,    false",
        "6,  O:S R:SA O:A O:FA R:A R:FA O:A,   TCP_TIME_WAIT,   true",
        "6,  O:S R:R,                           TCP_CLOSE,       false",
        "6,  O:S R:SA O:A O:R,                  TCP_CLOSE,       true",
        "17, O:-,                               UDP_UNREPLIED,   false",
        "17, O:- R:-,                           UDP_REPLIED,     false",
        "17, O:- O:- R:- R:-,                   UDP_REPLIED,     false",
        "17, O:- R:- O:-,                       UDP_ASSURED,     true",
        "1,  O:-,                               ICMP_REQUEST,    false",
        "1,  O:- R:-,                           ICMP_REPLIED,    false",
        "58, O:- R:-,                           ICMP_REPLIED,    false",
    })
    void sequences(int proto, String packets, String expectedState, boolean assured) {
        final String[] all = packets.trim().split(" ");
        // The first packet opens the connection; the others advance it.
        int status = status(proto, ConntrackTracking.initialState(proto, flags(all[0])).id(), 0, 0);
        for (int i = 1; i < all.length; i++) {
            final int dir = all[i].charAt(0) == 'O' ? DIR_ORIGINAL : DIR_REPLY;
            final long next = ConntrackTracking.advance(status, dir, flags(all[i]));
            if ((next & ConntrackTracking.INVALID) == 0) {
                status = (int) next;
            }
        }
        assertEquals(expectedState, ConntrackState.byId(statusState(status)).name());
        assertEquals(assured, (statusFlags(status) & ConntrackFlags.ASSURED) != 0);
    }

    @Test
    void replyDirectionSetsSeenReply() {
        final int status = status(17, ConntrackState.UDP_UNREPLIED.id(), 0, 0);
        assertEquals(0, statusFlags(status) & ConntrackFlags.SEEN_REPLY);
        assertNotEquals(0, statusFlags((int) ConntrackTracking.advance(status, DIR_REPLY, 0)) & ConntrackFlags.SEEN_REPLY);
    }

    @Test
    void invalidTcpKeepsStatus() {
        final int status = status(6, ConntrackState.TCP_SYN_SENT.id(), 0, 7);
        final long result = ConntrackTracking.advance(status, DIR_ORIGINAL, TcpFlags.ACK);
        assertNotEquals(0, result & ConntrackTracking.INVALID);
        assertEquals(status, (int) result);
    }

    @Test
    void initialStates() {
        assertEquals(ConntrackState.TCP_SYN_SENT, ConntrackTracking.initialState(6, TcpFlags.SYN));
        assertEquals(ConntrackState.NONE, ConntrackTracking.initialState(6, TcpFlags.RST));
        assertEquals(ConntrackState.UDP_UNREPLIED, ConntrackTracking.initialState(17, 0));
        assertEquals(ConntrackState.ICMP_REQUEST, ConntrackTracking.initialState(1, 0));
        assertEquals(ConntrackState.GENERIC, ConntrackTracking.initialState(47, 0));
    }

    @Test
    void defaultTimeoutsAreLinuxs() {
        assertEquals(432000, ConntrackState.TCP_ESTABLISHED.defaultTimeoutS());
        assertEquals(120, ConntrackState.TCP_SYN_SENT.defaultTimeoutS());
        assertEquals(120, ConntrackState.TCP_TIME_WAIT.defaultTimeoutS());
        assertEquals(10, ConntrackState.TCP_CLOSE.defaultTimeoutS());
        assertEquals(30, ConntrackState.UDP_UNREPLIED.defaultTimeoutS());
        assertEquals(120, ConntrackState.UDP_ASSURED.defaultTimeoutS());
        assertEquals(30, ConntrackState.ICMP_REQUEST.defaultTimeoutS());
    }
}
