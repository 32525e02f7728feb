package io.isthmus.conntrack;

import static io.isthmus.conntrack.ConntrackDescriptor.*;

import org.agrona.concurrent.Agent;

/**
 * Removes expired connections, finishes orphaned removals, honours flush requests from the
 * header mailbox and beats the owner heartbeat. Scans a bounded slice of entries per call, so
 * a duty cycle stays short whatever the capacity.
 *
 * <p>Thread-safety: exactly one sweeper per table, on one thread (it owns the sweeper counter
 * stripe and the sweep cursor). Runs concurrently with the workers.
 */
public final class ConntrackSweeper implements Agent {

    private final ConntrackTable table;
    private final int entriesPerCall;
    private int cursor;
    /** Flush generation being carried out, 0 if none. */
    private long flushTarget;
    private long flushRemaining;

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

    /** One slice at wall-clock time {@code unixMs}. Returns the number of entries removed. */
    public int sweep(long unixMs) {
        table.heartbeat(unixMs);
        final int nowS = table.nowS(unixMs);
        if (flushTarget == 0) {
            final long requested = table.flushRequested();
            if (requested > table.flushCompleted()) {
                flushTarget = requested;
                flushRemaining = table.capacity;
            }
        }
        int removed = 0;
        final int slice = (int) Math.min(entriesPerCall, table.capacity);
        for (int n = 0; n < slice; n++) {
            final int index = cursor;
            cursor = index + 1 == table.capacity ? 0 : index + 1;
            if (sweepEntry(index, nowS, flushTarget != 0)) {
                removed++;
            }
        }
        if (flushTarget != 0) {
            flushRemaining -= slice;
            if (flushRemaining <= 0) {
                table.completeFlush(flushTarget);
                flushTarget = 0;
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

    private boolean sweepEntry(int index, int nowS, boolean flushing) {
        final long base = table.entryBase(index);
        final long control = (long) ConntrackTable.LONG.getAcquire(table.segment, base + CONTROL);
        final int status = controlStatus(control);
        if (seqOdd(control) || status == 0) {
            return false;
        }
        if ((statusFlags(status) & ConntrackFlags.DYING) != 0) {
            return table.adoptOrphan(index) && table.removeClaimed(index, SWEEPER_STRIPE);
        }
        if ((statusFlags(status) & ConntrackFlags.CONFIRMED) == 0) {
            return false; // being inserted: its inserter owns it
        }
        final int lastSeenS = (int) ConntrackTable.INT.getOpaque(table.segment, base + LAST_SEEN_S);
        final long expiresS = (long) lastSeenS + table.timeoutS(statusState(status));
        if (!flushing && expiresS > nowS) {
            return false;
        }
        return table.claimForRemoval(index, controlSeqZone(control)) && table.removeClaimed(index, SWEEPER_STRIPE);
    }
}
