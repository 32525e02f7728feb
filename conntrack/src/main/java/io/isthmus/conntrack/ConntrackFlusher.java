package io.isthmus.conntrack;

import static io.isthmus.conntrack.ConntrackDescriptor.*;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The owner's flush duty: removes the connections a {@link ConntrackFlushFilter} matches, with
 * the normal removal path (claim DYING by compareAndSet, take both nodes out of the index,
 * free), so workers keep running meanwhile: a worker's lookup either still finds the
 * connection or misses it and inserts a new one. Also serves flush requests that other
 * processes ({@code isthmus conntrack flush}) leave in the header mailbox.
 *
 * <p>Thread-safety: one per table ({@link ConntrackTable#flusher()}); its methods are
 * synchronized (they write the flusher counter stripe) and meant for the owner's slow or
 * housekeeping threads, never for a worker: a flush scans every entry.
 */
public final class ConntrackFlusher {

    private final ConntrackTable table;

    ConntrackFlusher(ConntrackTable table) {
        this.table = table;
    }

    /**
     * Removes every live connection whose reply source (the backend after DNAT) is
     * {@code addressHi/addressLo : port} over {@code proto}: call it when an endpoint goes
     * away. Returns the number removed.
     */
    public int flushBackend(long addressHi, long addressLo, int port, int proto) {
        return flush(ConntrackFlushFilter.backend(addressHi, addressLo, port, proto));
    }

    /** Removes every live connection that {@code filter} matches. Returns the number removed. */
    public synchronized int flush(ConntrackFlushFilter filter) {
        final MemorySegment segment = table.segment;
        int removed = 0;
        for (int i = 0; i < table.capacity; i++) {
            final long base = table.entryBase(i);
            final long control = (long) ConntrackTable.LONG.getAcquire(segment, base + CONTROL);
            final int status = controlStatus(control);
            if (seqOdd(control) || (statusFlags(status) & (ConntrackFlags.DYING | ConntrackFlags.CONFIRMED)) != ConntrackFlags.CONFIRMED) {
                continue;
            }
            // Key fields cannot change while the seqlock stays even; the claim below re-checks it.
            final boolean match = filter.matches(statusProto(status),
                segment.get(ValueLayout.JAVA_LONG, base + coldOffset(i, COLD_REPLY_SRC_HI)), segment.get(ValueLayout.JAVA_LONG, base + REPLY_SRC_LO),
                sourcePort(segment.get(ValueLayout.JAVA_INT, base + REPLY_PORTS)));
            if (match && table.claimForRemoval(i, controlSeq(control)) && table.removeClaimed(i, FLUSHER_STRIPE)) {
                removed++;
            }
        }
        return removed;
    }

    /**
     * The owner's housekeeping: beats the heartbeat and carries out a pending flush request from
     * the header mailbox, then acknowledges it (count first, then the acknowledgement, release).
     * Returns the number removed (0 if nothing was pending).
     */
    public synchronized long serviceRequests(long nowUnixMs) {
        table.heartbeat(nowUnixMs);
        long requested = table.flushRequested();
        if (requested <= table.flushCompleted()) {
            return 0;
        }
        // A requester that timed out may be followed by another one writing a new filter: take
        // the filter that goes with the newest request (bounded re-reads).
        ConntrackFlushFilter filter = table.flushFilter();
        for (int attempt = 0; attempt < 4 && table.flushRequested() != requested; attempt++) {
            requested = table.flushRequested();
            filter = table.flushFilter();
        }
        final long removed = filter == null ? 0 : flush(filter);
        table.completeFlush(requested, removed);
        return removed;
    }
}
