package io.isthmus.fastpath.runtime;

import io.isthmus.conntrack.ConntrackSweeper;
import io.isthmus.fastpath.control.GenerationReclaimer;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The fast path's control agent: the one thread that applies what the slow path asks (desired
 * records, port changes: each a {@link Runnable} queued by {@link LocalFastpathControl}) and does
 * the housekeeping workers must not (a conntrack sweeper slice every {@code sweepInterval}: expiry,
 * flush requests, the owner heartbeat). Port changes block this thread until the worker took them,
 * never the worker.
 *
 * <pre>
 *   doWork():  requests.drain(≤ 64, in order) ─▶ afterRequests (if any applied) ─▶ barriers drained complete
 *              ─▶ (every sweepInterval) sweeper.sweep(now)
 * </pre>
 *
 * <p><b>Thread-safety:</b> {@link #submit} from any thread (bounded many-to-one queue); everything
 * else on the agent's thread. {@link #failedRequests()} is readable anywhere.
 */
final class ControlAgent implements Agent {
    private static final System.Logger LOG = System.getLogger(ControlAgent.class.getName());
    static final int QUEUE_CAPACITY = 4096;
    static final int REQUESTS_PER_CYCLE = 64;

    private final ManyToOneConcurrentArrayQueue<Runnable> requests = new ManyToOneConcurrentArrayQueue<>(QUEUE_CAPACITY);
    private final ConntrackSweeper sweeper;
    private final long sweepIntervalNs;
    private final Duration submitTimeout;
    private final AtomicLong failedRequests = new AtomicLong();
    private final Consumer<Runnable> run = this::runOne;
    private final Runnable afterRequests;
    /** Agent thread only: barriers drained this cycle, completed after {@code afterRequests}. */
    private final List<CompletableFuture<Void>> barriersThisCycle = new ArrayList<>();
    private FlowEventLog flowEvents;
    /** Set before the agent runs; agent thread: frees retired table generations each cycle. */
    private GenerationReclaimer reclaimer;
    private long nextSweepNs;

    /**
     * @param afterRequests run after every cycle that applied requests (e.g. a desired-state compiler
     *                      publishing the generation the records changed; errors are counted)
     */
    ControlAgent(ConntrackSweeper sweeper, Duration sweepInterval, Duration submitTimeout, Runnable afterRequests) {
        this.afterRequests = afterRequests;
        this.sweeper = sweeper;
        this.sweepIntervalNs = sweepInterval.toNanos();
        this.submitTimeout = submitTimeout;
    }

    @Override
    public int doWork() {
        int work = requests.drain(run, REQUESTS_PER_CYCLE);
        if (work != 0) {
            runOne(afterRequests);
            completeBarriers();
        }
        final long nowNs = System.nanoTime();
        if (nowNs - nextSweepNs >= 0) {
            nextSweepNs = nowNs + sweepIntervalNs;
            work += sweeper.sweep(System.currentTimeMillis());
        }
        final GenerationReclaimer retired = reclaimer;
        if (retired != null) {
            work += retired.reclaim(); // the workers moved past a retired generation since it was published
        }
        final FlowEventLog events = flowEvents;
        if (events != null) {
            work += events.drain();
        }
        return work;
    }

    /**
     * Any thread: queues a barrier that completes {@code done} at the end of the cycle that drains
     * it, AFTER {@code afterRequests}: whoever waits for it sees what every earlier request changed
     * compiled and published, not only applied (a barrier completed during the drain let a test
     * send its first datagram while the Service's new table was still being compiled).
     */
    void submitBarrier(CompletableFuture<Void> done) {
        submit(() -> barriersThisCycle.add(done));
    }

    private void completeBarriers() {
        for (int i = 0; i < barriersThisCycle.size(); i++) {
            barriersThisCycle.get(i).complete(null);
        }
        barriersThisCycle.clear();
    }

    /** Before the agent runs: the table generations this agent frees once the workers moved past them. */
    void reclaimEachCycle(GenerationReclaimer generations) {
        this.reclaimer = generations;
    }

    /** Before the agent runs: the worker's flow events this agent logs each cycle. */
    void logFlowEvents(FlowEventLog log) {
        this.flowEvents = log;
    }

    private void runOne(Runnable request) {
        try {
            request.run();
        } catch (RuntimeException e) { // requests with a future complete it themselves; this is the rest
            failedRequests.incrementAndGet();
            LOG.log(System.Logger.Level.WARNING, "control request failed", "error", e.getMessage());
        }
    }

    /** Any thread: queues {@code request}; waits (yielding) while the queue is full, up to the submit timeout. */
    void submit(Runnable request) {
        final long deadlineNs = System.nanoTime() + submitTimeout.toNanos();
        while (!requests.offer(request)) {
            if (System.nanoTime() - deadlineNs > 0) {
                throw new IllegalStateException("the fast path's control agent has " + QUEUE_CAPACITY
                        + " requests waiting for " + submitTimeout.toMillis() + " ms (is it running?)");
            }
            Thread.yield();
        }
    }

    /** Requests that threw and had no future to tell (e.g. an upsert with a bad payload). */
    long failedRequests() {
        return failedRequests.get();
    }

    @Override
    public String roleName() {
        return "isthmus-fastpath-control";
    }
}
