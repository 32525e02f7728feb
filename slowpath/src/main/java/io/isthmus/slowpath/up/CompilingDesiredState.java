package io.isthmus.slowpath.up;

import io.isthmus.fastpath.control.DesiredKind;
import io.isthmus.fastpath.control.DesiredState;
import io.isthmus.fastpath.control.DesiredStateTables;

/**
 * Lets the fast path's control agent feed a {@link DesiredStateTables}: every change outside a
 * resynchronisation, and the end of each resynchronisation, compiles and publishes the tables
 * that changed. The tables exist only once the runtime has started (it owns the published
 * generations), so they are plugged in by {@link #compileInto} before the first control call.
 *
 * <p><b>Thread-safety:</b> one thread, the control agent's (as {@link DesiredState} requires);
 * {@link #compileInto} happens-before the first call through the runtime's start.
 */
final class CompilingDesiredState implements DesiredState {
    private volatile DesiredStateTables tables;
    private boolean syncing;

    void compileInto(DesiredStateTables desiredTables) {
        this.tables = desiredTables;
    }

    @Override
    public void beginSync(long epoch) {
        syncing = true;
        tables.beginSync(epoch);
    }

    @Override
    public void endSync(long epoch) {
        syncing = false;
        tables.endSync(epoch);
        tables.applyPending();
    }

    @Override
    public void upsert(DesiredKind kind, String key, Object payload) {
        tables.upsert(kind, key, payload);
        if (!syncing) {
            tables.applyPending();
        }
    }

    @Override
    public void delete(DesiredKind kind, String key) {
        tables.delete(kind, key);
        if (!syncing) {
            tables.applyPending();
        }
    }
}
