package io.isthmus.slowpath.agent;

import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * How long the slow path takes from a change seen (an informer event) to its desired records sent
 * to the fast path: a Prometheus histogram with fixed buckets. The reconciler calls
 * {@link #record(long)}; {@code /metrics} reads it.
 *
 * <p><b>Thread-safety:</b> {@link #record} from any thread (atomic adds); readers may see a sum and
 * count one observation apart.
 */
public final class ReconcileLatency {
    /** Upper bounds of the buckets, seconds (the last bucket, +Inf, is implicit). */
    public static final double[] BUCKET_BOUNDS_SECONDS = {0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

    private final AtomicLongArray bucketCounts = new AtomicLongArray(BUCKET_BOUNDS_SECONDS.length + 1);
    private final LongAdder sumNs = new LongAdder();
    private final LongAdder count = new LongAdder();

    /** One reconcile took {@code durationNs}. */
    public void record(long durationNs) {
        final double seconds = durationNs / 1e9;
        int bucket = 0;
        while (bucket < BUCKET_BOUNDS_SECONDS.length && seconds > BUCKET_BOUNDS_SECONDS[bucket]) {
            bucket++;
        }
        bucketCounts.incrementAndGet(bucket);
        sumNs.add(Math.max(0, durationNs));
        count.increment();
    }

    /** Observations in bucket {@code i} alone (not cumulative); {@code i == BUCKET_BOUNDS_SECONDS.length} is +Inf. */
    public long bucketCount(int i) {
        return bucketCounts.get(i);
    }

    public long count() {
        return count.sum();
    }

    public double sumSeconds() {
        return sumNs.sum() / 1e9;
    }
}
