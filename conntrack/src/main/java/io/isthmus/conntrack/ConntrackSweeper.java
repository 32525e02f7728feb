package io.isthmus.conntrack;

import static io.isthmus.conntrack.ConntrackDescriptor.*;

import org.agrona.concurrent.Agent;

/**
 * The owner's housekeeping: removes expired connections, carries out flush requests from the
 * header mailbox (through {@link ConntrackFlusher#serviceRequests}) and beats the owner
 * heartbeat. Scans a bounded slice of entries per call, so a duty cycle stays short whatever
 * the capacity (a pending flush request is the exception: it scans the whole table once).
 *
 * <p>Expiry and a packet at the same instant: {@code track} writes last seen, then sets
 * {@link ConntrackFlags#TICK} in the control word; only the sweeper clears TICK, and it claims
 * an expired entry with a compareAndSet of a control word without TICK. Either the sweeper
 * sees the new last seen, or one of the two compareAndSets fails: the connection stays, or
 * the worker is told {@code TRACK_STALE} (see {@link #removeIfStillExpired}).
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
        final long control = expiredControl(index, nowS);
        return control != 0 && removeIfStillExpired(index, control, nowS);
    }

    /**
     * The control word of entry {@code index} if it is a confirmed, live connection whose last
     * seen is older than its state's timeout at {@code nowS}; else 0 (a live control word is
     * never 0: its status names a protocol).
     */
    long expiredControl(int index, int nowS) {
        final long base = table.entryBase(index);
        final long control = (long) ConntrackTable.LONG.getAcquire(table.segment, base + CONTROL);
        final int status = controlStatus(control);
        if (seqOdd(control) || status == 0
            || (statusFlags(status) & (ConntrackFlags.DYING | ConntrackFlags.CONFIRMED)) != ConntrackFlags.CONFIRMED) {
            return 0; // free, being inserted (its inserter owns it) or being removed by its claimant
        }
        return expired(base, status, nowS) ? control : 0;
    }

    /**
     * Removes entry {@code index} if it is still expired and unrefreshed. {@code control} is
     * the word {@link #expiredControl} read, and the claim is a compareAndSet from exactly that
     * word. A packet that refreshes last seen sets TICK (it writes last seen, a full fence, then
     * reads the control word and compareAndSets TICK in if it is not there); only the sweeper
     * clears TICK. So:
     * <ul>
     * <li>TICK clear in {@code control}: any refresh after that read sets TICK, the word is no
     *     longer {@code control} and the claim fails (or the packet's compareAndSet fails after
     *     the claim, and it is told TRACK_STALE). A refresh cannot be undone before the claim
     *     (the earlier code toggled TICK, and two refreshes in two seconds toggled it back: the
     *     claim then removed a connection that had just been refreshed).</li>
     * <li>TICK set: the sweeper clears it (compareAndSet; it gives up on a failure), then reads
     *     last seen again; a refresh that saw TICK still set skipped its compareAndSet, but its
     *     last seen is visible now (both sides have a full fence between their write and their
     *     read). Still expired: it claims from the word it wrote.</li>
     * </ul>
     * Returns whether it removed the entry.
     */
    boolean removeIfStillExpired(int index, long control, int nowS) {
        final long base = table.entryBase(index);
        long expected = control;
        final int status = controlStatus(control);
        if ((statusFlags(status) & ConntrackFlags.TICK) != 0) {
            expected = control(controlSeq(control), status & ~(ConntrackFlags.TICK << 16));
            if (!ConntrackTable.LONG.compareAndSet(table.segment, base + CONTROL, control, expected)
                || !expired(base, status, nowS)) {
                return false;
            }
        }
        return table.claimIfUnchanged(index, expected) && table.removeClaimed(index, SWEEPER_STRIPE);
    }

    private boolean expired(long base, int status, int nowS) {
        final int lastSeenS = (int) ConntrackTable.INT.getVolatile(table.segment, base + LAST_SEEN_S);
        return (long) lastSeenS + table.timeoutS(statusState(status)) <= nowS;
    }
}
