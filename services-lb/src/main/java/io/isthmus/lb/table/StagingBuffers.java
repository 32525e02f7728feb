package io.isthmus.lb.table;

/**
 * The on-heap staging arrays a {@link ServiceTableBuilder} fills before it copies them into a
 * generation's off-heap region, kept from one generation to the next.
 *
 * <p>Why: at 10,000 Services the backend records and Maglev blocks staged per generation are
 * megabytes each. Allocated anew per generation they are G1 humongous objects (larger than half a
 * heap region) that go straight to the old generation and were 90% of the bytes the compiler
 * allocated per update (JFR allocation profile, benchmarks/RESULTS.md "Session 3 (compile)"),
 * so every few updates a collection paused the reconciler. Kept here, a generation reuses them
 * and only grows them when the table grows. Only the prefix a builder wrote is ever read back, so
 * stale bytes beyond it are harmless.
 *
 * <p>Thread-safety: none; owned by the one slow-path thread that builds generations (the
 * compiler), used by one builder at a time (a builder hands the arrays back in
 * {@link ServiceTableBuilder#build()}).
 */
public final class StagingBuffers {

    byte[] backends = new byte[0];
    byte[] maglev = new byte[0];
    int[] sizeMs = new int[0];
    int[] widthLog2s = new int[0];

    /** Bytes held by the arrays (for tests and reports). */
    public long retainedBytes() {
        return (long) backends.length + maglev.length + 4L * sizeMs.length + 4L * widthLog2s.length;
    }
}
