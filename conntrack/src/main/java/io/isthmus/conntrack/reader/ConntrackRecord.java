package io.isthmus.conntrack.reader;

import io.isthmus.conntrack.Addresses;
import io.isthmus.conntrack.ConntrackFlags;
import io.isthmus.conntrack.ConntrackState;

/**
 * A consistent copy of one live entry, taken by {@link ConntrackReader} under the entry's
 * seqlock. For tools, not for the fast path (it is an object).
 */
public record ConntrackRecord(
    int entryIndex, int zone, int proto, int stateId, int flags, int verdict, int serviceId, int outPort,
    long origSrcHi, long origSrcLo, long origDstHi, long origDstLo, int origSport, int origDport,
    long replySrcHi, long replySrcLo, long replyDstHi, long replyDstLo, int replySport, int replyDport,
    int lastSeenS, int timeoutLeftS, long origPackets, long origBytes, long replyPackets, long replyBytes) {

    public String protoName() {
        return switch (proto) {
            case 1 -> "icmp";
            case 6 -> "tcp";
            case 17 -> "udp";
            case 58 -> "icmpv6";
            default -> "unknown";
        };
    }

    public String stateName() {
        final ConntrackState state = ConntrackState.byId(stateId);
        return state == null ? "STATE_" + stateId : state.label();
    }

    public boolean assured() {
        return (flags & ConntrackFlags.ASSURED) != 0;
    }

    public boolean seenReply() {
        return (flags & ConntrackFlags.SEEN_REPLY) != 0;
    }

    public String origSrc() {
        return Addresses.format(origSrcHi, origSrcLo);
    }

    public String origDst() {
        return Addresses.format(origDstHi, origDstLo);
    }

    public String replySrc() {
        return Addresses.format(replySrcHi, replySrcLo);
    }

    public String replyDst() {
        return Addresses.format(replyDstHi, replyDstLo);
    }
}
