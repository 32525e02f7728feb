package io.isthmus.conntrack.proto;

import static io.isthmus.conntrack.ConntrackDescriptor.*;

import io.isthmus.conntrack.ConntrackFlags;
import io.isthmus.conntrack.ConntrackState;

/**
 * Protocol tracking: from an entry's status word and one packet (direction, TCP flags), the
 * new status word and whether the packet is valid. Pure functions, called per packet: no
 * allocation, no exceptions.
 *
 * <ul>
 * <li>TCP: {@link TcpStateMachine}; ASSURED once established after the handshake.</li>
 * <li>UDP: UNREPLIED until a reply, then REPLIED (still the 30 s timeout, so a single DNS
 *     exchange leaves quickly); an original-direction packet after a reply makes it a stream:
 *     ASSURED state and flag, 120 s. Linux instead waits 2 s from the first packet; the entry
 *     has no creation time (128-byte budget), so we use "asked again after an answer".</li>
 * <li>ICMP / ICMPv6 echo: REQUEST until a reply, then REPLIED. Errors never reach here: they
 *     are matched to the connection they are about and change nothing.</li>
 * <li>Anything else: GENERIC, SEEN_REPLY when a reply comes.</li>
 * </ul>
 * Thread-safety: stateless.
 */
public final class ConntrackTracking {

    private ConntrackTracking() {
    }

    public static final int PROTO_ICMP = 1;
    public static final int PROTO_TCP = 6;
    public static final int PROTO_UDP = 17;
    public static final int PROTO_ICMPV6 = 58;

    /** Bit 32 of {@link #advance}'s result: the packet is invalid, status unchanged. */
    public static final long INVALID = 1L << 32;

    /** The state a new connection starts in, or NONE if this packet cannot open one. */
    public static ConntrackState initialState(int proto, int tcpFlags) {
        return switch (proto) {
            case PROTO_TCP -> TcpStateMachine.initial(tcpFlags);
            case PROTO_UDP -> ConntrackState.UDP_UNREPLIED;
            case PROTO_ICMP, PROTO_ICMPV6 -> ConntrackState.ICMP_REQUEST;
            default -> ConntrackState.GENERIC;
        };
    }

    /**
     * The status word after a packet in {@code direction}; low 32 bits the new status, bit 32
     * ({@link #INVALID}) set if the packet is not valid for the connection's state.
     */
    public static long advance(int status, int direction, int tcpFlags) {
        final int proto = statusProto(status);
        final int state = statusState(status);
        int flags = statusFlags(status);
        if (direction == DIR_REPLY) {
            flags |= ConntrackFlags.SEEN_REPLY;
        }
        int newState = state;
        switch (proto) {
            case PROTO_TCP -> {
                final int next = TcpStateMachine.next(state, direction, tcpFlags);
                if (next == TcpStateMachine.INVALID) {
                    return INVALID | (status & 0xFFFF_FFFFL);
                }
                if (next >= 0) {
                    newState = next;
                    if (TcpStateMachine.assures(state, next)) {
                        flags |= ConntrackFlags.ASSURED;
                    }
                }
            }
            case PROTO_UDP -> {
                if (direction == DIR_REPLY && state == ConntrackState.UDP_UNREPLIED.id()) {
                    newState = ConntrackState.UDP_REPLIED.id();
                } else if (direction == DIR_ORIGINAL && state == ConntrackState.UDP_REPLIED.id()) {
                    newState = ConntrackState.UDP_ASSURED.id();
                    flags |= ConntrackFlags.ASSURED;
                }
            }
            case PROTO_ICMP, PROTO_ICMPV6 -> {
                if (direction == DIR_REPLY) {
                    newState = ConntrackState.ICMP_REPLIED.id();
                }
            }
            default -> {
            }
        }
        return withFlagsReplaced(withState(status, newState), flags) & 0xFFFF_FFFFL;
    }
}
