package io.isthmus.cli;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * How a foreground command (agent, fast path) ends on Ctrl-C or SIGTERM: a JVM shutdown hook asks
 * it to stop ({@link #await} returns true) and then keeps the JVM alive, up to a limit, until the
 * command has cleaned up and {@link #close}d this (ports detached, sockets removed). Closed
 * without a signal (e.g. {@code --duration} ran out), it removes its hook.
 *
 * <p><b>Thread-safety:</b> the command's thread awaits and closes; the hook runs on the JVM's
 * shutdown thread.
 */
final class StopOnSignal implements AutoCloseable {
    private final CountDownLatch stop = new CountDownLatch(1);
    private final CountDownLatch cleanedUp = new CountDownLatch(1);
    private final Thread hook;

    StopOnSignal(String threadName, Duration cleanupLimit) {
        this.hook = new Thread(() -> {
            stop.countDown();
            try {
                cleanedUp.await(cleanupLimit.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, threadName);
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /** Waits up to {@code timeout}; true once a signal asked the command to stop. */
    boolean await(long timeout, TimeUnit unit) throws InterruptedException {
        return stop.await(timeout, unit);
    }

    /** The command has cleaned up: a signalled JVM may exit now. */
    @Override
    public void close() {
        cleanedUp.countDown();
        if (stop.getCount() != 0) { // ended without a signal
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // a signal arrived meanwhile: the hook is already running and returns at once
            }
        }
    }
}
