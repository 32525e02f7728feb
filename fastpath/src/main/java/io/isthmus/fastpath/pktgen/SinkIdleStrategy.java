package io.isthmus.fastpath.pktgen;

import org.agrona.concurrent.IdleStrategy;

import java.util.concurrent.locks.LockSupport;

/**
 * How a backing-off {@code isthmus pktgen --rx} sink waits between polls: it polls again at once
 * only after a full batch (more is waiting), and otherwise parks, {@link #receivingParkNs} after a
 * cycle that received something, doubling up to {@link #maxParkNs} while nothing comes.
 *
 * <p>Why: a sink counts frames; it has no reason to poll faster than its ring fills. With Agrona's
 * backoff (spin, yield, park from 1 µs) a sink receiving a steady stream below its polling speed
 * finds a frame or two per poll, resets, and wakes tens of thousands of times a second; on the
 * 2-CPU benchmark machine three such sinks (a ClusterIP's backends) took 0.2-0.3 of a core from
 * the dataplane under test (RESULTS.md, "Session 5 (clusterip)" and "Session 6 (clusterip)").
 * Parked 200 µs, a sink receiving 660k pps finds ~130 frames waiting (its rings hold 4,096).
 *
 * <p><b>Thread-safety:</b> one thread (the sink's loop) calls {@link #idle(int)}.
 */
public final class SinkIdleStrategy implements IdleStrategy {
    private final int fullBatch;
    private final long receivingParkNs;
    private final long maxParkNs;
    private long parkNs;

    /**
     * @param fullBatch       frames a cycle takes at most: a cycle that took this many polls again at once
     * @param receivingParkNs the park after a cycle that received fewer, and the first park of an idle sink
     * @param maxParkNs       the longest park while nothing arrives
     */
    public SinkIdleStrategy(int fullBatch, long receivingParkNs, long maxParkNs) {
        if (fullBatch <= 0 || receivingParkNs <= 0 || maxParkNs < receivingParkNs) {
            throw new IllegalArgumentException("need fullBatch > 0 and 0 < receivingParkNs <= maxParkNs, got " + fullBatch
                    + ", " + receivingParkNs + ", " + maxParkNs);
        }
        this.fullBatch = fullBatch;
        this.receivingParkNs = receivingParkNs;
        this.maxParkNs = maxParkNs;
        this.parkNs = receivingParkNs;
    }

    /** {@code workCount}: frames the cycle received. */
    @Override
    public void idle(int workCount) {
        final long park = nextParkNs(workCount);
        if (park > 0) {
            LockSupport.parkNanos(park);
        }
    }

    /** The park the cycle's {@code workCount} asks for (0: poll again at once); advances the idle backoff. */
    long nextParkNs(int workCount) {
        if (workCount >= fullBatch) {
            parkNs = receivingParkNs;
            return 0;
        }
        if (workCount > 0) {
            parkNs = receivingParkNs;
            return receivingParkNs;
        }
        final long park = parkNs;
        parkNs = Math.min(maxParkNs, parkNs * 2);
        return park;
    }

    @Override
    public void idle() {
        LockSupport.parkNanos(parkNs);
    }

    @Override
    public void reset() {
        parkNs = receivingParkNs;
    }

    @Override
    public String alias() {
        return "sink";
    }
}
