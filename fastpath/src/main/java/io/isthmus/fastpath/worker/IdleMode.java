package io.isthmus.fastpath.worker;

import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.YieldingIdleStrategy;

import java.util.Locale;

/**
 * How a worker waits when a duty cycle found nothing: spin on a dedicated core; poll through a
 * quiet period that grows with the work just done (10..200 µs) and only then park, longer the
 * longer the quiet, up to 1 ms ({@link #ADAPTIVE}, {@link AdaptiveIdleStrategy}: the node default,
 * {@link #NODE_DEFAULT});
 * back off after 110 empty cycles (spin, yield, then park up to 1 ms: Agrona's count-based
 * backoff, which parks between the bursts of a loaded port and lets its RX ring overflow); or
 * yield the CPU on every idle cycle ({@code sched_yield}: the thread never sleeps, so it never
 * waits for a timer or a wake-up, but any other runnable thread on its CPU goes first; it shows as
 * a whole core in top while the CPU is free).
 */
public enum IdleMode {
    BUSY_SPIN,
    BACKOFF,
    YIELD,
    ADAPTIVE;

    /**
     * What {@code isthmus up}, {@code isthmus agent} and {@code isthmus fastpath} run unless told
     * otherwise: forwards at the busy-spin rate under load, sleeps when idle (RESULTS.md "Session 5 (up)").
     */
    public static final IdleMode NODE_DEFAULT = ADAPTIVE;

    /** A new idle strategy (each runner needs its own: strategies keep state). */
    public IdleStrategy newStrategy() {
        return switch (this) {
            case BUSY_SPIN -> new BusySpinIdleStrategy();
            case BACKOFF -> new BackoffIdleStrategy(100, 10, 1_000L, 1_000_000L);
            case YIELD -> new YieldingIdleStrategy();
            case ADAPTIVE -> AdaptiveIdleStrategy.withDefaults();
        };
    }

    /** Parses {@code adaptive}, {@code busy-spin}, {@code backoff} or {@code yield} (CLI); the error names the accepted values. */
    public static IdleMode parse(String text) {
        return switch (text.toLowerCase(Locale.ROOT)) {
            case "busy-spin", "busy_spin", "spin" -> BUSY_SPIN;
            case "backoff" -> BACKOFF;
            case "yield" -> YIELD;
            case "adaptive" -> ADAPTIVE;
            default -> throw new IllegalArgumentException("unknown idle strategy '" + text + "' (want adaptive, busy-spin, backoff or yield)");
        };
    }
}
