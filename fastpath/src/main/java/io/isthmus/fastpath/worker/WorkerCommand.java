package io.isthmus.fastpath.worker;

import io.isthmus.fastpath.port.Port;

import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * A change another thread asks of a {@link Worker}, queued on its bounded command queue and applied
 * by the worker between two batches. The worker completes {@link #done()} once it has applied the
 * command (on the worker's thread: callers wait with a timeout or continue with an {@code ...Async}
 * stage, never with work that would run on the worker).
 */
public sealed interface WorkerCommand {

    CompletableFuture<?> done();

    /** Put {@code port} in its free slot {@code port.id()}; {@code podMac} (0: unknown) seeds the neighbor table. */
    record AttachPort(Port port, long podMac, CompletableFuture<Void> done) implements WorkerCommand {
    }

    /** Take the port out of {@code slot}; completes with it (null when the slot was free). */
    record DetachPort(int slot, CompletableFuture<Port> done) implements WorkerCommand {
    }

    /** Run {@code task} on the worker's thread between batches (e.g. reclaim a closed socket's frames, read the pool). */
    record Call<T>(Supplier<T> task, CompletableFuture<T> done) implements WorkerCommand {
    }
}
