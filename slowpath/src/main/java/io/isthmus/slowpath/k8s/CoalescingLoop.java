package io.isthmus.slowpath.k8s;

import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * The one thread of a controller fed by informers: it runs a pass when woken, or every
 * {@code periodMs} at the latest; wakes that arrive while it sleeps or runs coalesce into one pass.
 * A pass that throws is reported to {@code onFailure} and the loop goes on.
 *
 * <p><b>Thread-safety:</b> {@link #wake} from any thread (informer handlers); {@link #start} and
 * {@link #close} from the owner; the pass and {@code onFailure} run on the loop's thread only.
 */
public final class CoalescingLoop implements AutoCloseable {
    private static final long JOIN_TIMEOUT_MS = 5_000;

    private final Semaphore wake = new Semaphore(0);
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final long periodMs;
    private final Runnable pass;
    private final Consumer<RuntimeException> onFailure;
    private final Thread thread;

    public CoalescingLoop(String threadName, long periodMs, Runnable pass, Consumer<RuntimeException> onFailure) {
        this.periodMs = periodMs;
        this.pass = pass;
        this.onFailure = onFailure;
        this.thread = Thread.ofPlatform().name(threadName).daemon(true).unstarted(this::run);
    }

    public void start() {
        thread.start();
    }

    /** Asks for a pass soon. */
    public void wake() {
        wake.release();
    }

    private void run() {
        while (running.get()) {
            try {
                wake.tryAcquire(periodMs, TimeUnit.MILLISECONDS);
                wake.drainPermits();
                if (!running.get()) {
                    break;
                }
                pass.run();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                onFailure.accept(e);
            }
        }
    }

    /** Stops the loop after the pass under way and waits for its thread (at most 5 s). */
    @Override
    public void close() {
        running.set(false);
        wake.release();
        try {
            thread.join(JOIN_TIMEOUT_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
