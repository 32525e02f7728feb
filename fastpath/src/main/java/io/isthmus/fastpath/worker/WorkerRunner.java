package io.isthmus.fastpath.worker;

import org.agrona.ErrorHandler;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.status.AtomicCounter;

import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs one {@link Worker} on its own thread with an Agrona {@link AgentRunner}. Errors escaping
 * the duty cycle (a bug: the fast path returns drop reasons, it does not throw) are kept in
 * {@link #firstError()} and logged to stderr; the runner keeps going, as AgentRunner does. The
 * thread places itself ({@link WorkerThread}: nice value, CPU) before its first duty cycle.
 *
 * <p><b>Thread-safety:</b> {@link #start} and {@link #close} from the owning (control) thread.
 */
public final class WorkerRunner implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(WorkerRunner.class.getName());
    private final AgentRunner runner;
    private final AtomicReference<Throwable> firstError = new AtomicReference<>();

    private WorkerRunner(Worker worker, IdleMode idleMode, WorkerThread placement) {
        final ErrorHandler onError = error -> {
            if (firstError.compareAndSet(null, error)) {
                LOG.log(System.Logger.Level.ERROR, "worker " + worker.roleName() + " duty cycle failed", error);
            }
        };
        final Agent agent = placement.equals(WorkerThread.INHERIT) ? worker : new PlacedAgent(worker, placement);
        this.runner = new AgentRunner(idleMode.newStrategy(), onError, (AtomicCounter) null, agent);
    }

    /** Starts {@code worker} on a new thread named after its role, with the thread settings it inherits. */
    public static WorkerRunner start(Worker worker, IdleMode idleMode) {
        return start(worker, idleMode, WorkerThread.INHERIT);
    }

    /** Starts {@code worker} on a new thread named after its role, placed as {@code placement} says. */
    public static WorkerRunner start(Worker worker, IdleMode idleMode, WorkerThread placement) {
        if (idleMode == IdleMode.BUSY_SPIN && placement.nice() != WorkerThread.KEEP_NICE && placement.nice() < 0
                && placement.cpu() == WorkerThread.ANY_CPU) {
            LOG.log(System.Logger.Level.WARNING, "worker " + worker.roleName() + " busy-spins at nice " + placement.nice()
                    + " on any CPU: it will take a CPU whole and starve other work there; give it its own (--worker-cpu)"
                    + " or let it back off");
        }
        final WorkerRunner workerRunner = new WorkerRunner(worker, idleMode, placement);
        AgentRunner.startOnThread(workerRunner.runner);
        return workerRunner;
    }

    /** The first error the duty cycle threw, or null. */
    public Throwable firstError() {
        return firstError.get();
    }

    /** Stops the thread (waits for the current duty cycle) and closes the worker's ports. */
    @Override
    public void close() {
        runner.close();
    }

    /** The worker, with its thread placed on start (one more virtual call per duty cycle). */
    private record PlacedAgent(Worker worker, WorkerThread placement) implements Agent {
        @Override
        public void onStart() {
            LOG.log(System.Logger.Level.INFO, "worker " + worker.roleName() + " thread: " + placement.applyToCurrentThread());
            worker.onStart();
        }

        @Override
        public int doWork() {
            return worker.doWork();
        }

        @Override
        public void onClose() {
            worker.onClose();
        }

        @Override
        public String roleName() {
            return worker.roleName();
        }
    }
}
