package io.isthmus.slowpath.up;

import java.time.Duration;

/**
 * How long {@code up} waits before it tries again to start a pod it could not start, as a kubelet
 * backs off: {@code initial} after the first failure, doubling after each further one, never more
 * than {@code max}. Kubelet's own figures (10 s doubling to 5 min) are {@link #KUBELET}; tests use
 * milliseconds.
 *
 * <p><b>Thread-safety:</b> immutable.
 *
 * @param initial the wait after the first failed attempt (positive)
 * @param max     the longest wait (at least {@code initial})
 */
public record PodStartBackoff(Duration initial, Duration max) {
    /** 10 s, doubling up to 5 min: what a kubelet does. */
    public static final PodStartBackoff KUBELET = new PodStartBackoff(Duration.ofSeconds(10), Duration.ofMinutes(5));
    /** Environment: the first and longest wait in milliseconds, {@code INITIAL_MS:MAX_MS} (default 10000:300000). */
    public static final String ENV = "ISTHMUS_UP_POD_BACKOFF_MS";

    public PodStartBackoff {
        if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("pod start backoff: the first wait must be positive and at most the longest, got "
                    + initial.toMillis() + " ms and " + max.toMillis() + " ms");
        }
    }

    /** The wait after {@code failures} failed attempts in a row (1 = the first failure). */
    public Duration delayAfter(int failures) {
        Duration delay = initial;
        for (int i = 1; i < failures && delay.compareTo(max) < 0; i++) {
            delay = delay.multipliedBy(2);
        }
        return delay.compareTo(max) > 0 ? max : delay;
    }

    /** {@code INITIAL_MS:MAX_MS}, as {@link #ENV} holds it; throws naming the variable and what is wrong. */
    public static PodStartBackoff parse(String text) {
        final String[] parts = text.strip().split(":");
        try {
            if (parts.length != 2) {
                throw new NumberFormatException("expected INITIAL_MS:MAX_MS");
            }
            return new PodStartBackoff(Duration.ofMillis(Long.parseLong(parts[0].strip())), Duration.ofMillis(Long.parseLong(parts[1].strip())));
        } catch (IllegalArgumentException e) { // a number that is not one, or waits out of order
            throw new IllegalArgumentException(ENV + "='" + text + "': " + e.getMessage() + " (e.g. 10000:300000)", e);
        }
    }

    /** From {@link #ENV} when set, else {@link #KUBELET}. */
    public static PodStartBackoff fromEnvironment() {
        final String value = System.getenv(ENV);
        return value == null || value.isBlank() ? KUBELET : parse(value);
    }
}
