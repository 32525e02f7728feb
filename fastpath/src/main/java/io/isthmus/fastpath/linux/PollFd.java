package io.isthmus.fastpath.linux;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.VarHandle;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * {@code struct pollfd} from {@code <poll.h>}.
 *
 * <pre>
 *   0        4        6        8
 *   +--------+--------+--------+
 *   |   fd   | events |revents |
 *   +--------+--------+--------+
 * </pre>
 */
public final class PollFd {
    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("fd"), JAVA_SHORT.withName("events"), JAVA_SHORT.withName("revents"));
    public static final VarHandle FD = Fields.of(LAYOUT, "fd");
    public static final VarHandle EVENTS = Fields.of(LAYOUT, "events");
    public static final VarHandle REVENTS = Fields.of(LAYOUT, "revents");

    private PollFd() {
    }

    /** Fills one record. */
    public static void set(MemorySegment pollFd, int fd, short events) {
        FD.set(pollFd, fd);
        EVENTS.set(pollFd, events);
        REVENTS.set(pollFd, (short) 0);
    }
}
