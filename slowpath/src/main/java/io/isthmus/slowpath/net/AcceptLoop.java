package io.isthmus.slowpath.net;

import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;

import java.io.IOException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * The accept loop of a listening socket: accepts until closed and hands each connection on. An
 * accept that fails while the socket is open (EMFILE or ENFILE when descriptors run out, ENOBUFS,
 * ...) is usually persistent for a while, so the next attempt waits: a few immediate retries, then
 * a pause from {@value #MIN_PAUSE_MS} ms doubling up to {@value #MAX_PAUSE_MS} ms, back to
 * immediate after the next success. Without it the loop would spin a core until the condition
 * clears.
 *
 * <p><b>Thread-safety:</b> {@link #run()} is called by one thread (the acceptor), which alone uses
 * the backoff; {@code open} is read by it and written by whoever closes the socket.
 */
public final class AcceptLoop<T> implements Runnable {
    static final long MIN_PAUSE_MS = 1;
    static final long MAX_PAUSE_MS = 1000;
    private static final System.Logger LOG = System.getLogger(AcceptLoop.class.getName());

    /** One accept; throws when it fails. */
    @FunctionalInterface
    public interface Acceptor<T> {
        T accept() throws IOException;
    }

    private final String name;
    private final Acceptor<T> acceptor;
    private final Consumer<T> onAccepted;
    private final BooleanSupplier open;
    private final IdleStrategy backoff;

    /**
     * @param name       what listens, for the log ("CNI server")
     * @param acceptor   the listening socket's accept
     * @param onAccepted takes each connection (must not block for long: the next accept waits)
     * @param open       false once the socket was closed on purpose: the loop ends
     */
    public AcceptLoop(String name, Acceptor<T> acceptor, Consumer<T> onAccepted, BooleanSupplier open) {
        this(name, acceptor, onAccepted, open, new BackoffIdleStrategy(1, 1,
                TimeUnit.MILLISECONDS.toNanos(MIN_PAUSE_MS), TimeUnit.MILLISECONDS.toNanos(MAX_PAUSE_MS)));
    }

    AcceptLoop(String name, Acceptor<T> acceptor, Consumer<T> onAccepted, BooleanSupplier open, IdleStrategy backoff) {
        this.name = name;
        this.acceptor = acceptor;
        this.onAccepted = onAccepted;
        this.open = open;
        this.backoff = backoff;
    }

    @Override
    public void run() {
        int failuresInARow = 0;
        while (open.getAsBoolean()) {
            final T connection;
            try {
                connection = acceptor.accept();
            } catch (IOException e) {
                if (!open.getAsBoolean()) {
                    return;
                }
                failuresInARow++;
                if (Long.bitCount(failuresInARow) == 1) { // log the 1st, 2nd, 4th, 8th ... failure in a row
                    LOG.log(System.Logger.Level.WARNING, name + ": accept failed " + failuresInARow
                            + " time(s) in a row, retrying with a pause of up to " + MAX_PAUSE_MS + " ms: " + e.getMessage());
                }
                backoff.idle();
                continue;
            }
            failuresInARow = 0;
            backoff.reset();
            onAccepted.accept(connection);
        }
    }
}
