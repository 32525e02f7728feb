package io.isthmus.fastpath.worker;

import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.YieldingIdleStrategy;

import java.util.Locale;

/**
 * How a worker waits when a duty cycle found nothing: spin on a dedicated core, back off (spin,
 * yield, then park up to 1 ms) on a shared one, or yield the CPU on every idle cycle ({@code
 * sched_yield}: the thread never sleeps, so it never waits for a timer or a wake-up, but any other
 * runnable thread on its CPU goes first; it shows as a whole core in top while the CPU is free).
 */
public enum IdleMode {
    BUSY_SPIN,
    BACKOFF,
    YIELD;

    /** A new idle strategy (each runner needs its own: strategies keep state). */
    public IdleStrategy newStrategy() {
        return switch (this) {
            case BUSY_SPIN -> new BusySpinIdleStrategy();
            case BACKOFF -> new BackoffIdleStrategy(100, 10, 1_000L, 1_000_000L);
            case YIELD -> new YieldingIdleStrategy();
        };
    }

    /** Parses {@code busy-spin} or {@code backoff} (CLI); the error names the accepted values. */
    public static IdleMode parse(String text) {
        return switch (text.toLowerCase(Locale.ROOT)) {
            case "busy-spin", "busy_spin", "spin" -> BUSY_SPIN;
            case "backoff" -> BACKOFF;
            case "yield" -> YIELD;
            default -> throw new IllegalArgumentException("unknown idle strategy '" + text + "' (want busy-spin, backoff or yield)");
        };
    }
}
