package io.isthmus.slowpath.reconcile;

import io.isthmus.fastpath.control.DesiredKind;
import io.isthmus.fastpath.control.DesiredStateTables;
import io.isthmus.fastpath.control.FastpathControl;
import io.isthmus.fastpath.control.PortAttachment;
import io.isthmus.fastpath.control.compile.AppliedChanges;

import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * A {@link FastpathControl} that writes straight into a {@link DesiredStateTables} in the same
 * JVM, with no control agent in between: for tests, benchmarks and tools that want the compiled
 * tables without a running fast path. {@link #applyPending()} compiles and publishes (the
 * reconciler's {@code afterBatch}). Port calls fail: there are no workers here.
 *
 * <p><b>Thread-safety:</b> like {@link DesiredStateTables}: one thread (the reconciler's).
 */
public final class LocalTablesControl implements FastpathControl {
    private final DesiredStateTables tables;
    private final Consumer<AppliedChanges> published;

    /** @param published told of every publication (on the calling thread) */
    public LocalTablesControl(DesiredStateTables tables, Consumer<AppliedChanges> published) {
        this.tables = tables;
        this.published = published;
    }

    @Override
    public void beginSync(long epoch) {
        tables.beginSync(epoch);
    }

    @Override
    public void endSync(long epoch) {
        tables.endSync(epoch);
    }

    @Override
    public void upsert(DesiredKind kind, String key, Object payload) {
        tables.upsert(kind, key, payload);
    }

    @Override
    public void delete(DesiredKind kind, String key) {
        tables.delete(kind, key);
    }

    /** Compiles and publishes what changed. */
    public void applyPending() {
        final AppliedChanges changes = tables.applyPending();
        if (changes.anything()) {
            published.accept(changes);
        }
    }

    @Override
    public CompletableFuture<Void> attachPort(PortAttachment attachment) {
        return CompletableFuture.failedFuture(new UnsupportedOperationException("no fast path workers in this process: cannot attach " + attachment.hostIfName()));
    }

    @Override
    public CompletableFuture<Void> detachPort(String hostIfName) {
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public void close() {
    }
}
