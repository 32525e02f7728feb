package io.isthmus.fastpath.worker;

import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.IdleStrategy;

import java.util.Locale;

/**
 * How a worker waits when a duty cycle found nothing: spin on a dedicated core, or back off
 * (spin, yield, then park up to 1 ms) on a shared one.
 */
public enum IdleMode {
    BUSY_SPIN,
    BACKOFF;

    /** A new idle strategy (each runner needs its own: strategies keep state). */
    public IdleStrategy newStrategy() {
        return switch (this) {
            case BUSY_SPIN -> new BusySpinIdleStrategy();
            case BACKOFF -> new BackoffIdleStrategy(100, 10, 1_000L, 1_000_000L);
        };
    }

    /** Parses {@code busy-spin} or {@code backoff} (CLI); the error names the accepted values. */
    public static IdleMode parse(String text) {
        return switch (text.toLowerCase(Locale.ROOT)) {
            case "busy-spin", "busy_spin", "spin" -> BUSY_SPIN;
            case "backoff" -> BACKOFF;
            default -> throw new IllegalArgumentException("unknown idle strategy '" + text + "' (want busy-spin or backoff)");
        };
    }
}
