package io.isthmus.slowpath.netlink;

import io.isthmus.fastpath.linux.Libc;
import io.isthmus.fastpath.linux.LinuxException;
import io.isthmus.fastpath.linux.PosixConstants;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * An {@code AF_NETLINK}/{@code NETLINK_ROUTE} socket in the network namespace of the thread that
 * opened it: requests are acknowledged (errors become {@link LinuxException}s carrying the kernel's
 * extended-ack text when it gives one), dumps are collected until {@code NLMSG_DONE}.
 *
 * <p><b>Thread-safety:</b> none. One thread opens, uses and closes it (the namespace is the
 * opening thread's, so a socket for a pod's namespace is opened inside {@link Netns#run}).
 */
final class RouteNetlinkSocket implements AutoCloseable {
    private static final int SOL_NETLINK = 270;
    private static final int NETLINK_EXT_ACK = 11;
    /** recv fails with EAGAIN after this long without a reply. */
    private static final long RECEIVE_TIMEOUT_SECONDS = 10;
    private static final short NLM_F_CAPPED = 0x100;
    private static final short NLM_F_ACK_TLVS = 0x200;
    private static final int NLMSGERR_ATTR_MSG = 1;
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED;
    private static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED;
    /** A bound on messages read for one request, so a confused kernel reply cannot loop us forever. */
    private static final int MAX_REPLY_READS = 10_000;

    private final Arena arena = Arena.ofConfined();
    private final MemorySegment receiveBuffer = arena.allocate(1 << 16, 8);
    private final int fd;
    private int sequence = (int) (System.nanoTime() & 0x7fffffff);

    RouteNetlinkSocket() {
        fd = Libc.socket(PosixConstants.AF_NETLINK, PosixConstants.SOCK_RAW | PosixConstants.SOCK_CLOEXEC, Rtnl.NETLINK_ROUTE);
        try {
            final MemorySegment address = arena.allocate(12, 4); // sockaddr_nl: family, pad, pid 0 (kernel assigns), groups 0
            address.set(ValueLayout.JAVA_SHORT, 0, (short) PosixConstants.AF_NETLINK);
            Libc.bind(fd, address, "AF_NETLINK NETLINK_ROUTE");
            Libc.setsockoptInt(fd, SOL_NETLINK, NETLINK_EXT_ACK, 1, "NETLINK_EXT_ACK");
            final MemorySegment timeout = arena.allocate(16, 8); // struct timeval: a kernel that never answers
            timeout.set(ValueLayout.JAVA_LONG, 0, RECEIVE_TIMEOUT_SECONDS);
            Libc.setsockopt(fd, PosixConstants.SOL_SOCKET, PosixConstants.SO_RCVTIMEO, timeout, "SO_RCVTIMEO");
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    int nextSequence() {
        return ++sequence;
    }

    /** Sends a request built with NLM_F_ACK and waits for its acknowledgement. */
    void acknowledged(NetlinkRequest request, String what) {
        exchange(request, what, 0, reply -> {
        });
    }

    /** Sends a request that answers with messages (a GET or a dump) and returns them. */
    List<NetlinkReply> query(NetlinkRequest request, String what, int familyBytes) {
        final List<NetlinkReply> replies = new ArrayList<>();
        exchange(request, what, familyBytes, replies::add);
        return replies;
    }

    private void exchange(NetlinkRequest request, String what, int familyBytes, Consumer<NetlinkReply> sink) {
        final MemorySegment message = request.message();
        final int expectedSequence = message.get(INT, 8);
        final boolean dump = (message.get(SHORT, 6) & Rtnl.NLM_F_DUMP) == Rtnl.NLM_F_DUMP;
        Libc.send(fd, message, 0, what);
        for (int reads = 0; reads < MAX_REPLY_READS; reads++) {
            final long received = Libc.receive(fd, receiveBuffer, 0, what);
            long at = 0;
            while (at + NetlinkRequest.HEADER_BYTES <= received) {
                final int length = receiveBuffer.get(INT, at);
                final short type = receiveBuffer.get(SHORT, at + 4);
                final short flags = receiveBuffer.get(SHORT, at + 6);
                final int replySequence = receiveBuffer.get(INT, at + 8);
                if (length < NetlinkRequest.HEADER_BYTES || at + length > received) {
                    throw new LinuxException(what + ": malformed netlink reply", 0);
                }
                if (replySequence == expectedSequence) {
                    if (type == Rtnl.NLMSG_ERROR) {
                        final int error = receiveBuffer.get(INT, at + 16);
                        if (error != 0) {
                            throw new LinuxException(what, -error, extendedAck(at, length, flags));
                        }
                        return; // the acknowledgement ends every non-dump exchange
                    }
                    if (type == Rtnl.NLMSG_DONE) {
                        return;
                    }
                    sink.accept(NetlinkReply.parse(receiveBuffer, at, familyBytes));
                    if (!dump && (flags & Rtnl.NLM_F_MULTI) == 0 && (message.get(SHORT, 6) & Rtnl.NLM_F_ACK) == 0) {
                        return; // a plain GET: one answer, no acknowledgement asked for
                    }
                }
                at += NetlinkRequest.align(length);
            }
        }
        throw new LinuxException(what + ": no end to the netlink reply after " + MAX_REPLY_READS + " reads", 0);
    }

    /** The kernel's NLMSGERR_ATTR_MSG text after an error, or null. */
    private String extendedAck(long at, int length, short flags) {
        if ((flags & NLM_F_ACK_TLVS) == 0) {
            return null;
        }
        final int originalLength = receiveBuffer.get(INT, at + 20);
        long tlv = at + 20 + ((flags & NLM_F_CAPPED) != 0 ? NetlinkRequest.HEADER_BYTES : NetlinkRequest.align(originalLength));
        final long end = at + length;
        while (tlv + 4 <= end) {
            final int tlvLength = Short.toUnsignedInt(receiveBuffer.get(SHORT, tlv));
            final int tlvType = receiveBuffer.get(SHORT, tlv + 2) & Rtnl.NLA_TYPE_MASK;
            if (tlvLength < 4 || tlv + tlvLength > end) {
                return null;
            }
            if (tlvType == NLMSGERR_ATTR_MSG) {
                return "kernel says: " + receiveBuffer.asSlice(tlv + 4, tlvLength - 4).getString(0);
            }
            tlv += NetlinkRequest.align(tlvLength);
        }
        return null;
    }

    @Override
    public void close() {
        try {
            if (fd >= 0) {
                Libc.close(fd, "netlink socket");
            }
        } finally {
            arena.close();
        }
    }
}
