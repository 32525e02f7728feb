package io.isthmus.fastpath.control;

import java.util.concurrent.CompletableFuture;

/**
 * What the slow path may ask of the fast path: the one seam between them. Implemented in one JVM
 * and across processes by the same Aeron IPC protocol; the fast path's control agent turns desired
 * records into compiled table generations ({@link FastpathTables}) and port changes into worker
 * commands, so no worker ever waits on the slow path.
 *
 * <p><b>Resynchronisation.</b> A slow path that (re)starts calls {@link #beginSync}, announces its
 * whole desired state with {@link #upsert}, then {@link #endSync}: records of the same kind that
 * were not announced since {@code beginSync} are removed. Between those calls the fast path keeps
 * forwarding with its last tables, and conntrack keeps established flows.
 *
 * <p><b>Thread-safety:</b> one slow-path thread calls it (the reconciler). Port calls complete
 * their future once the worker has the port (attach) or has let it go (detach).
 */
public interface FastpathControl extends AutoCloseable {

    void beginSync(long epoch);

    void endSync(long epoch);

    /** Adds or replaces the record {@code key} of {@code kind}; {@code payload} has {@code kind.payloadType()}. */
    void upsert(DesiredKind kind, String key, Object payload);

    /** Removes the record {@code key} of {@code kind}; nothing happens when there is none. */
    void delete(DesiredKind kind, String key);

    /** Starts switching the pod's host-side interface (AF_XDP socket + XDP program, route to the pod). */
    CompletableFuture<Void> attachPort(PortAttachment attachment);

    /** Stops switching {@code hostIfName}; completes at once when it is not attached. */
    CompletableFuture<Void> detachPort(String hostIfName);

    @Override
    void close();
}
