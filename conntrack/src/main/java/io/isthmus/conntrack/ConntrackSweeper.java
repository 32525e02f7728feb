package io.isthmus.conntrack;

import static io.isthmus.conntrack.ConntrackDescriptor.*;

import org.agrona.concurrent.Agent;

/**
 * The owner's housekeeping: removes expired connections, carries out flush requests from the
 * header mailbox (through {@link ConntrackFlusher#serviceRequests}) and beats the owner
 * heartbeat. Scans a bounded slice of entries per call, so a duty cycle stays short whatever
 * the capacity (a pending flush request is the exception: it scans the whole table once).
 *
 * <p>Expiry and a packet at the same instant: the sweeper reads the control word, then last
 * seen, and claims with a compareAndSet of the exact control word it read. {@code track}
 * writes last seen first and then toggles {@link ConntrackFlags#TICK} by compareAndSet, so
 * either the sweeper sees the new last seen, or one of the two compareAndSets fails: the
 * sweeper keeps the connection, or the worker is told {@code TRACK_STALE}.
 *
 * <p>Thread-safety: exactly one sweeper per table, on one thread (it owns the sweeper counter
 * stripe and its cursor). Runs concurrently with the workers.
 */
public final class ConntrackSweeper implements Agent {

    private final ConntrackTable table;
    private final int entriesPerCall;
    private int cursor;

    public ConntrackSweeper(ConntrackTable table, int entriesPerCall) {
        if (entriesPerCall < 1) {
            throw new IllegalArgumentException("entriesPerCall must be >= 1, got " + entriesPerCall);
        }
        this.table = table;
        this.entriesPerCall = entriesPerCall;
    }

    @Override
    public int doWork() {
        return sweep(System.currentTimeMillis());
    }

    @Override
    public String roleName() {
        return "conntrack-sweeper";
    }

    /**
     * One slice at wall-clock time {@code unixMs}, after serving any flush request. Returns the
     * number of entries removed.
     */
    public int sweep(long unixMs) {
        int removed = (int) table.flusher().serviceRequests(unixMs);
        final int nowS = table.nowS(unixMs);
        final int slice = (int) Math.min(entriesPerCall, table.capacity);
        for (int n = 0; n < slice; n++) {
            final int index = cursor;
            cursor = index + 1 == table.capacity ? 0 : index + 1;
            if (sweepEntry(index, nowS)) {
                removed++;
            }
        }
        return removed;
    }

    /** Sweeps the whole table once (tests, shutdown). Returns the number removed. */
    public int sweepAll(long unixMs) {
        int removed = 0;
        for (long done = 0; done < table.capacity; done += entriesPerCall) {
            removed += sweep(unixMs);
        }
        return removed;
    }

    private boolean sweepEntry(int index, int nowS) {
        final long base = table.entryBase(index);
        final long control = (long) ConntrackTable.LONG.getAcquire(table.segment, base + CONTROL);
        final int status = controlStatus(control);
        if (seqOdd(control) || status == 0
            || (statusFlags(status) & (ConntrackFlags.DYING | ConntrackFlags.CONFIRMED)) != ConntrackFlags.CONFIRMED) {
            return false; // free, being inserted (its inserter owns it) or being removed by its claimant
        }
        final int lastSeenS = (int) ConntrackTable.INT.getOpaque(table.segment, base + LAST_SEEN_S);
        final long expiresS = (long) lastSeenS + table.timeoutS(statusState(status));
        if (expiresS > nowS) {
            return false;
        }
        return table.claimIfUnchanged(index, control) && table.removeClaimed(index, SWEEPER_STRIPE);
    }
}
