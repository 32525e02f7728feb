package io.isthmus.fastpath.worker;

import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemNanoClock;

import java.util.concurrent.locks.LockSupport;
import java.util.function.LongConsumer;

/**
 * Poll while packets come, sleep once they stop, in proportion: the worker keeps polling (a pause
 * instruction per empty duty cycle, no syscall) through a quiet period that grows with the work it
 * just did ({@value #SPIN_PER_BUSY}x the last busy stretch, between {@code minSpinNs} and {@code
 * maxSpinNs}), then parks for an eighth of the time its ports have been quiet so far (between
 * {@code minParkNs} and {@code maxParkNs}). Any duty cycle that does work starts over.
 *
 * <pre>
 *   busy stretch B ─▶ spin until quiet ≥ clamp(4·B, minSpin, maxSpin) ─▶ park clamp(quiet/8, minPark, maxPark) ─▶ ...
 *        ▲                                                                                              │
 *        └────────────────────────────── a duty cycle with work (reset) ◀───────────────────────────────┘
 * </pre>
 *
 * <p>Why these rules. Under load (a worker busy for milliseconds at a time) the gaps between a
 * sender's bursts are shorter than the longest quiet period, so the worker never sleeps and its RX
 * rings do not overflow while it waits for a timer: it forwards like a busy-spinning worker. Under a
 * light load (one packet every 100 µs) each packet buys only a few µs of polling, so the worker
 * does not turn a trickle into a whole core, as a fixed quiet period would once packets arrive
 * faster than it. After a long quiet the parks reach {@code maxParkNs} (an idle node costs a
 * wake-up a millisecond), but only after 8x that much silence: a sender that pauses for a few ms
 * (descheduled on a shared CPU) finds the worker awake again within an eighth of its pause, before
 * a 2048-entry ring fills at line rate. Agrona's {@code BackoffIdleStrategy} counts empty cycles
 * instead (their cost depends on the number of ports) and reaches its longest park after about
 * a millisecond of silence. The same idea as NAPI busy polling ({@code net.core.busy_poll}) and the
 * load-based sleep of an OVS PMD thread ({@code pmd-sleep-max}).
 *
 * <p>A park sleeps at least the thread's timer slack (50 µs by default on Linux).
 *
 * <p><b>Thread-safety:</b> keeps state; one instance per worker thread, used only by it.
 */
public final class AdaptiveIdleStrategy implements IdleStrategy {
    /** The quiet period polled through is this many times the busy stretch before it. */
    public static final int SPIN_PER_BUSY = 4;
    /** A park is the quiet time so far shifted right by this (an eighth). */
    private static final int PARK_SHIFT = 3;
    public static final long DEFAULT_MIN_SPIN_NS = 10_000L;
    /** The longest quiet period polled through (measured: RESULTS.md "Session 5 (up)"). */
    public static final long DEFAULT_MAX_SPIN_NS = 200_000L;
    public static final long DEFAULT_MIN_PARK_NS = 10_000L;
    public static final long DEFAULT_MAX_PARK_NS = 1_000_000L;
    /** System property overriding {@link #DEFAULT_MAX_SPIN_NS}, in µs (tuning and measurement). */
    public static final String SPIN_US_PROPERTY = "isthmus.worker.idleSpinUs";
    private static final long NONE = Long.MIN_VALUE;

    private final long minSpinNs;
    private final long maxSpinNs;
    private final long minParkNs;
    private final long maxParkNs;
    private final NanoClock clock;
    private final LongConsumer park;
    /** When the current busy stretch began ({@link #NONE}: the last cycle found nothing). */
    private long busySinceNs = NONE;
    /** When the current quiet period began ({@link #NONE}: the last cycle did work). */
    private long quietSinceNs = NONE;
    /** How long this quiet period is polled through before parking. */
    private long spinNs;

    /** The defaults, the longest quiet period overridable by {@value #SPIN_US_PROPERTY}. */
    public static AdaptiveIdleStrategy withDefaults() {
        final long maxSpinNs = maxSpinNsFromProperty(System.getProperty(SPIN_US_PROPERTY));
        return new AdaptiveIdleStrategy(Math.min(DEFAULT_MIN_SPIN_NS, maxSpinNs), maxSpinNs, DEFAULT_MIN_PARK_NS,
                DEFAULT_MAX_PARK_NS, new SystemNanoClock(), LockSupport::parkNanos);
    }

    /**
     * @param minSpinNs the shortest quiet period polled through before the first park
     * @param maxSpinNs the longest (0 with minSpinNs 0: park at once)
     * @param minParkNs the shortest park
     * @param maxParkNs the longest park (how late an idle worker sees the first packet, at most)
     * @param clock     the time source (tests: a manual clock)
     * @param park      parks the calling thread for the given nanoseconds (tests: records them)
     */
    public AdaptiveIdleStrategy(long minSpinNs, long maxSpinNs, long minParkNs, long maxParkNs, NanoClock clock,
                                LongConsumer park) {
        if (minSpinNs < 0 || maxSpinNs < minSpinNs || minParkNs < 1 || maxParkNs < minParkNs) {
            throw new IllegalArgumentException("adaptive idle needs 0 <= minSpinNs <= maxSpinNs and 1 <= minParkNs <= maxParkNs, was "
                    + minSpinNs + ", " + maxSpinNs + ", " + minParkNs + ", " + maxParkNs);
        }
        this.minSpinNs = minSpinNs;
        this.maxSpinNs = maxSpinNs;
        this.minParkNs = minParkNs;
        this.maxParkNs = maxParkNs;
        this.clock = clock;
        this.park = park;
    }

    /** Parses the property's value (µs); null or blank: the default. The error names the property. */
    static long maxSpinNsFromProperty(String micros) {
        if (micros == null || micros.isBlank()) {
            return DEFAULT_MAX_SPIN_NS;
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
            if (busySinceNs == NONE) { // a busy stretch begins: one clock read per quiet-to-busy change
                busySinceNs = clock.nanoTime();
                quietSinceNs = NONE;
            }
        } else {
            idle();
        }
    }

    @Override
    public void idle() {
        final long nowNs = clock.nanoTime();
        if (quietSinceNs == NONE) {
            final long busyNs = busySinceNs == NONE ? 0 : nowNs - busySinceNs;
            spinNs = Math.clamp(busyNs * SPIN_PER_BUSY, minSpinNs, maxSpinNs);
            quietSinceNs = nowNs;
            busySinceNs = NONE;
        }
        final long quietNs = nowNs - quietSinceNs;
        if (quietNs < spinNs) {
            Thread.onSpinWait();
            return;
        }
        park.accept(Math.clamp(quietNs >> PARK_SHIFT, minParkNs, maxParkNs));
    }

    @Override
    public void reset() {
        busySinceNs = NONE;
        quietSinceNs = NONE;
    }

    @Override
    public String alias() {
        return "adaptive";
    }
}
