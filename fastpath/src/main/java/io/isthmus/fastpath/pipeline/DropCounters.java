package io.isthmus.fastpath.pipeline;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Locale;

/**
 * Packets dropped, per {@link DropReason}, by one worker.
 *
 * <p><b>Thread-safety:</b> single writer, many readers. The worker is the only writer and
 * publishes each new value with a release store (no atomic read-modify-write); any thread reads
 * with an acquire load and may see a value one batch old. Counters are spaced 8 longs apart so
 * neighbouring reasons do not share a cache line with each other's hot writes.
 */
public final class DropCounters {
    private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);
    private static final int STRIDE = 8;
    private final long[] values = new long[(DropReason.maxId() + 1) * STRIDE];

    /** Writer only. */
    public void increment(DropReason reason) {
        final int i = reason.id() * STRIDE;
        LONGS.setRelease(values, i, values[i] + 1);
    }

    /** Any thread: the latest published count for {@code reason}. */
    public long get(DropReason reason) {
        return (long) LONGS.getAcquire(values, reason.id() * STRIDE);
    }

    /** Any thread: the sum over all reasons. */
    public long total() {
        long total = 0;
        for (int id = 1; id <= DropReason.maxId(); id++) {
            total += (long) LONGS.getAcquire(values, id * STRIDE);
        }
        return total;
    }

    /**
     * Any thread, off the fast path (it builds a string): the non-zero reasons as
     * {@code reason=count} in id order, lower case, space separated; empty when nothing was dropped.
     */
    public String describe() {
        final StringBuilder text = new StringBuilder();
        for (DropReason reason : DropReason.values()) {
            final long count = get(reason);
            if (count != 0) {
                text.append(text.isEmpty() ? "" : " ").append(reason.name().toLowerCase(Locale.ROOT)).append('=').append(count);
            }
        }
        return text.toString();
    }
}
