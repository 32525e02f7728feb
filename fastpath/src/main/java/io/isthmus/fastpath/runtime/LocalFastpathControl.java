package io.isthmus.fastpath.runtime;

import io.isthmus.fastpath.control.DesiredKind;
import io.isthmus.fastpath.control.DesiredState;
import io.isthmus.fastpath.control.FastpathControl;
import io.isthmus.fastpath.control.PortAttachment;

import java.util.concurrent.CompletableFuture;

/**
 * {@link FastpathControl} in the fast path's own JVM: every call becomes a request on the
 * {@link ControlAgent}'s queue, applied in call order on the agent's thread (desired records to the
 * {@link DesiredState}, ports through the {@link PortManager}). The Aeron control server calls it;
 * tests call it directly.
 *
 * <p>Futures complete on the control agent's thread: continue with {@code ...Async} stages.
 *
 * <p><b>Thread-safety:</b> any thread may call; order is kept per calling thread.
 */
public final class LocalFastpathControl implements FastpathControl {
    private final ControlAgent agent;
    private final DesiredState desired;
    private final PortManager ports;

    LocalFastpathControl(ControlAgent agent, DesiredState desired, PortManager ports) {
        this.agent = agent;
        this.desired = desired;
        this.ports = ports;
    }

    @Override
    public void beginSync(long epoch) {
        agent.submit(() -> desired.beginSync(epoch));
    }

    @Override
    public void endSync(long epoch) {
        agent.submit(() -> desired.endSync(epoch));
    }

    @Override
    public void upsert(DesiredKind kind, String key, Object payload) {
        agent.submit(() -> desired.upsert(kind, key, payload));
    }

    @Override
    public void delete(DesiredKind kind, String key) {
        agent.submit(() -> desired.delete(kind, key));
    }

    @Override
    public CompletableFuture<Void> attachPort(PortAttachment attachment) {
        final CompletableFuture<Void> done = new CompletableFuture<>();
        agent.submit(() -> {
            try {
                ports.attach(attachment);
                done.complete(null);
            } catch (RuntimeException e) {
                done.completeExceptionally(e);
            }
        });
        return done;
    }

    @Override
    public CompletableFuture<Void> detachPort(String hostIfName) {
        final CompletableFuture<Void> done = new CompletableFuture<>();
        agent.submit(() -> {
            try {
                ports.detach(hostIfName);
                done.complete(null);
            } catch (RuntimeException e) {
                done.completeExceptionally(e);
            }
        });
        return done;
    }

    /**
     * Completes once the control agent has applied everything queued before it AND run its
     * after-requests step (the Service / policy / DNS compile and publish) for that cycle (tests,
     * shutdown, the slow path's barrier over Aeron).
     */
    public CompletableFuture<Void> barrier() {
        final CompletableFuture<Void> done = new CompletableFuture<>();
        agent.submitBarrier(done);
        return done;
    }

    /** Nothing to release: the runtime owns the agent. */
    @Override
    public void close() {
    }
}
