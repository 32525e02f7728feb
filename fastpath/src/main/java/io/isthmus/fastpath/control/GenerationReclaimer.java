package io.isthmus.fastpath.control;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayDeque;

/**
 * Frees retired table generations explicitly, once no reader can still be using them
 * (quiescent-state-based reclamation with an epoch counter), so that a table's off-heap region
 * does not wait for a garbage collection.
 *
 * <pre>
 *   control thread                         worker (each batch)            control thread, later
 *   publish(new) ─▶ epoch++ (E+1)           slot = epoch (release)         reclaim(): every slot ≥ E+1?
 *   retire(old, E+1) onto the list ───────────────────────────────────────▶ yes: free(old)
 * </pre>
 *
 * <p>Each reader (a worker's {@code PipelineContext}, or a slow-path {@link #pin()}) owns one slot:
 * between two batches it stores the epoch it observed; everything it reads after that store is a
 * generation published no earlier than that epoch. A generation retired at epoch {@code R} was
 * replaced before the epoch became {@code R}, so once every slot holds at least {@code R}, every
 * reader has finished the batch that might have used it, and {@link #reclaim()} frees it. A free
 * slot holds {@link #QUIESCENT} ({@code Long.MAX_VALUE}): a stopped or deregistered reader never pins
 * anything. An idle worker still runs its duty cycle (the backoff idle strategy parks at most 1 ms)
 * and so still moves its slot on.
 *
 * <p>Slots are 128 bytes apart in one {@code long[]} so that two workers never share a cache line
 * (nor an adjacent-line prefetch pair).
 *
 * <p><b>Thread-safety:</b>
 * <ul>
 *   <li>{@code epoch}: written by the publisher ({@link #retire}, volatile increment under this
 *       object's monitor); read by readers (acquire in {@link Reader#observe}, volatile in
 *       registration).</li>
 *   <li>each slot of {@code slots}: written by its one reader (release store per batch, volatile on
 *       registration), by {@link #register}/{@link Reader#close} under the monitor; read by
 *       {@link #reclaim()} (volatile).</li>
 *   <li>{@code retired}: only under this object's monitor ({@link #retire}, {@link #reclaim()},
 *       {@link #retiredCount()}), i.e. slow-path threads; a worker never takes the monitor.</li>
 * </ul>
 * A reader's per-batch path ({@link Reader#observe}) is one acquire load and one release store: no
 * allocation, no lock.
 */
public final class GenerationReclaimer {
    /** The value of a slot no reader holds (and of a reader that is stopped). */
    public static final long QUIESCENT = Long.MAX_VALUE;
    /** Default reader slots: workers plus a few slow-path pins at once. */
    public static final int DEFAULT_READER_SLOTS = 256;

    private static final int STRIDE_LONGS = 16; // 128 bytes
    private static final VarHandle SLOTS = MethodHandles.arrayElementVarHandle(long[].class);
    private static final VarHandle EPOCH;

    static {
        try {
            EPOCH = MethodHandles.lookup().findVarHandle(GenerationReclaimer.class, "epoch", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final long[] slots;
    private final boolean[] taken; // under the monitor
    private final ArrayDeque<Retired> retired = new ArrayDeque<>();
    @SuppressWarnings("unused") // accessed through EPOCH
    private long epoch = 1;
    private long freedCount; // under the monitor
    private long failedFrees; // under the monitor

    private record Retired(long epoch, Runnable free) {
    }

    public GenerationReclaimer() {
        this(DEFAULT_READER_SLOTS);
    }

    public GenerationReclaimer(int readerSlots) {
        if (readerSlots < 1) {
            throw new IllegalArgumentException("a generation reclaimer needs at least one reader slot, got " + readerSlots);
        }
        this.slots = new long[(readerSlots + 2) * STRIDE_LONGS]; // one line of padding each side
        this.taken = new boolean[readerSlots];
        for (int i = 0; i < readerSlots; i++) {
            slots[index(i)] = QUIESCENT;
        }
        VarHandle.releaseFence();
    }

    private static int index(int slot) {
        return (slot + 1) * STRIDE_LONGS;
    }

    /**
     * Slow path (a worker's construction, a CLI/metrics read): takes a free slot, already holding
     * the current epoch, so the caller may read the published tables from now on.
     *
     * @throws IllegalStateException when every slot is taken
     */
    public synchronized Reader register(String name) {
        for (int i = 0; i < taken.length; i++) {
            if (!taken[i]) {
                taken[i] = true;
                SLOTS.setVolatile(slots, index(i), (long) EPOCH.getVolatile(this));
                return new Reader(this, index(i), i, name);
            }
        }
        throw new IllegalStateException("generation reclaimer: all " + taken.length + " reader slots are taken; cannot register '"
                + name + "' (a reader that stopped without close()?)");
    }

    /**
     * Slow-path reader: holds every generation published from now until {@code close()} (use in
     * try-with-resources around a read of {@code Published.current()} and its use).
     */
    public Reader pin() {
        return register("pin");
    }

    private synchronized void release(int slot) {
        if (taken[slot]) {
            SLOTS.setVolatile(slots, index(slot), QUIESCENT);
            taken[slot] = false;
        }
    }

    /**
     * Publisher, after it published the generation that replaces {@code free}'s: ends the epoch and
     * queues {@code free} to run once every reader has passed it. Frees what it can at once.
     */
    public void retire(Runnable free) {
        synchronized (this) {
            final long next = (long) EPOCH.getVolatile(this) + 1;
            EPOCH.setVolatile(this, next);
            retired.addLast(new Retired(next, free));
        }
        reclaim();
    }

    /**
     * Slow path (the control thread, every cycle): frees every retired generation that every
     * registered reader has moved past. Returns how many it freed.
     */
    public synchronized int reclaim() {
        if (retired.isEmpty()) {
            return 0;
        }
        final long oldest = oldestObserved();
        int freed = 0;
        while (!retired.isEmpty() && retired.peekFirst().epoch() <= oldest) {
            try {
                retired.pollFirst().free().run();
            } catch (RuntimeException e) { // never fail the publisher: the region stays mapped (a leak, not a crash)
                failedFrees++;
                System.getLogger(GenerationReclaimer.class.getName()).log(System.Logger.Level.WARNING,
                        "freeing a retired table generation failed", e);
            }
            freed++;
        }
        freedCount += freed;
        return freed;
    }

    private long oldestObserved() {
        long oldest = QUIESCENT;
        for (int i = 0; i < taken.length; i++) {
            oldest = Math.min(oldest, (long) SLOTS.getVolatile(slots, index(i)));
        }
        return oldest;
    }

    /** Generations retired but not freed yet (a reader is still behind). */
    public synchronized int retiredCount() {
        return retired.size();
    }

    /** Generations freed since start. */
    public synchronized long freedCount() {
        return freedCount;
    }

    /** Retired generations whose free action threw (logged; their memory stays allocated). */
    public synchronized long failedFrees() {
        return failedFrees;
    }

    /** The current epoch (each {@link #retire} ends one). */
    public long epoch() {
        return (long) EPOCH.getVolatile(this);
    }

    /**
     * One reader's slot. {@link #observe()} is called by the one thread that reads through it;
     * {@link #close()} by that thread or after it stopped.
     */
    public static final class Reader implements AutoCloseable {
        private final GenerationReclaimer owner;
        private final int index;
        private final int slot;
        private final String name;
        private boolean closed;

        private Reader(GenerationReclaimer owner, int index, int slot, String name) {
            this.owner = owner;
            this.index = index;
            this.slot = slot;
            this.name = name;
        }

        /**
         * Reader thread, between batches (before reading any table): declares that it holds no
         * generation from an earlier batch. One acquire load, one release store.
         */
        public void observe() {
            SLOTS.setRelease(owner.slots, index, (long) EPOCH.getAcquire(owner));
        }

        /** The epoch this reader last declared ({@link GenerationReclaimer#QUIESCENT} once closed). */
        public long observed() {
            return (long) SLOTS.getVolatile(owner.slots, index);
        }

        public String name() {
            return name;
        }

        /** Deregisters: this reader pins nothing any more. Idempotent. */
        @Override
        public void close() {
            if (!closed) {
                closed = true;
                owner.release(slot);
            }
        }
    }
}
