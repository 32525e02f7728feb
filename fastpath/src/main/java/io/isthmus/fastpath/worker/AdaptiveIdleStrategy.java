package io.isthmus.fastpath.worker;

import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemNanoClock;

import java.util.concurrent.locks.LockSupport;
import java.util.function.LongConsumer;

/**
 * Poll while packets come, sleep once they stop: the worker keeps polling (a pause instruction per
 * empty duty cycle, no syscall) until its ports have been quiet for {@code spinNs} of wall-clock
 * time, then parks for {@code minParkNs}, doubling each empty cycle up to {@code maxParkNs}. Any
 * duty cycle that does work starts over. The same idea as NAPI busy-polling ({@code
 * net.core.busy_poll}, 50 µs) or a DPDK/OVS PMD thread's sleep after empty polls: under load (gaps
 * between bursts shorter than the quiet period) the worker never sleeps, so the RX rings do not
 * overflow while it waits for a timer, and an idle node costs a wake-up every {@code maxParkNs}
 * (about 0.1% of a core at 1 ms), not a core.
 *
 * <pre>
 *   work ─▶ spin (onSpinWait) ──quiet ≥ spinNs──▶ park minParkNs ▶ 2× ▶ 4× ... ▶ maxParkNs, maxParkNs ...
 *    ▲                                                                                       │
 *    └──────────────────────────── a duty cycle with work (reset) ◀──────────────────────────┘
 * </pre>
 *
 * <p>Unlike Agrona's {@code BackoffIdleStrategy}, the spin phase is measured in time, not in empty
 * cycles: an empty cycle's cost grows with the number of ports polled, the quiet period must not.
 * A park sleeps at least the thread's timer slack (50 µs by default on Linux), so the first park
 * is that long whatever {@code minParkNs} says.
 *
 * <p><b>Thread-safety:</b> keeps state; one instance per worker thread, used only by it.
 */
public final class AdaptiveIdleStrategy implements IdleStrategy {
    /** How long the ports must be quiet before the worker parks (measured: RESULTS.md "Session 5 (up)"). */
    public static final long DEFAULT_SPIN_NS = 200_000L;
    public static final long DEFAULT_MIN_PARK_NS = 10_000L;
    public static final long DEFAULT_MAX_PARK_NS = 1_000_000L;
    /** System property overriding {@link #DEFAULT_SPIN_NS}, in µs (tuning and measurement). */
    public static final String SPIN_US_PROPERTY = "isthmus.worker.idleSpinUs";
    private static final long NOT_QUIET = Long.MIN_VALUE;

    private final long spinNs;
    private final long minParkNs;
    private final long maxParkNs;
    private final NanoClock clock;
    private final LongConsumer park;
    /** When the current quiet period began ({@link #NOT_QUIET}: the last cycle did work). */
    private long quietSinceNs = NOT_QUIET;
    /** The next park's length; 0 while still spinning. */
    private long parkNs;

    /** The defaults, the spin phase overridable by {@value #SPIN_US_PROPERTY}. */
    public static AdaptiveIdleStrategy withDefaults() {
        return new AdaptiveIdleStrategy(spinNsFromProperty(System.getProperty(SPIN_US_PROPERTY)),
                DEFAULT_MIN_PARK_NS, DEFAULT_MAX_PARK_NS, new SystemNanoClock(), LockSupport::parkNanos);
    }

    /**
     * @param spinNs    the quiet period polled through before the first park (0: park at once)
     * @param minParkNs the first park
     * @param maxParkNs the longest park (how late an idle worker sees the first packet, at most)
     * @param clock     the time source (tests: a manual clock)
     * @param park      parks the calling thread for the given nanoseconds (tests: records them)
     */
    public AdaptiveIdleStrategy(long spinNs, long minParkNs, long maxParkNs, NanoClock clock, LongConsumer park) {
        if (spinNs < 0 || minParkNs < 1 || maxParkNs < minParkNs) {
            throw new IllegalArgumentException("adaptive idle needs spinNs >= 0 and 1 <= minParkNs <= maxParkNs, was "
                    + spinNs + ", " + minParkNs + ", " + maxParkNs);
        }
        this.spinNs = spinNs;
        this.minParkNs = minParkNs;
        this.maxParkNs = maxParkNs;
        this.clock = clock;
        this.park = park;
    }

    /** Parses the property's value (µs); null or blank: the default. The error names the property. */
    static long spinNsFromProperty(String micros) {
        if (micros == null || micros.isBlank()) {
            return DEFAULT_SPIN_NS;
        }
        try {
            final long value = Long.parseLong(micros.trim());
            if (value < 0 || value > 1_000_000) {
                throw new IllegalArgumentException(SPIN_US_PROPERTY + " must be 0..1000000 µs, not " + value);
            }
            return value * 1_000L;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(SPIN_US_PROPERTY + " takes microseconds, not '" + micros + "'");
        }
    }

    @Override
    public void idle(int workCount) {
        if (workCount > 0) {
            reset();
        } else {
            idle();
        }
    }

    @Override
    public void idle() {
        if (parkNs == 0) {
            final long nowNs = clock.nanoTime();
            if (quietSinceNs == NOT_QUIET) {
                quietSinceNs = nowNs;
            }
            if (nowNs - quietSinceNs < spinNs) {
                Thread.onSpinWait();
                return;
            }
            parkNs = minParkNs;
        }
        park.accept(parkNs);
        parkNs = Math.min(parkNs << 1, maxParkNs);
    }

    @Override
    public void reset() {
        quietSinceNs = NOT_QUIET;
        parkNs = 0;
    }

    /** The quiet period in ns (what the log and tests show). */
    public long spinNs() {
        return spinNs;
    }

    @Override
    public String alias() {
        return "adaptive";
    }
}
