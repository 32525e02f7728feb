package io.isthmus.slowpath.agent;

import io.isthmus.fastpath.control.DesiredKind;
import io.isthmus.fastpath.control.DesiredState;
import io.isthmus.fastpath.control.DesiredStateTables;

/**
 * The runtime's {@link DesiredState} over the control plane's compiler, {@link DesiredStateTables}:
 * records go in as they arrive; {@link #compilePending()} (run by the control agent after every
 * cycle that applied requests) compiles and publishes the tables whose records changed.
 *
 * <p><b>Thread-safety:</b> the fast path's control agent only (as the compiler requires).
 */
public final class CompiledDesiredState implements DesiredState {
    private final DesiredStateTables compiler;

    public CompiledDesiredState(DesiredStateTables compiler) {
        this.compiler = compiler;
    }

    public DesiredStateTables compiler() {
        return compiler;
    }

    @Override
    public void beginSync(long epoch) {
        compiler.beginSync(epoch);
    }

    @Override
    public void endSync(long epoch) {
        compiler.endSync(epoch);
    }

    @Override
    public void upsert(DesiredKind kind, String key, Object payload) {
        compiler.upsert(kind, key, payload);
    }

    @Override
    public void delete(DesiredKind kind, String key) {
        compiler.delete(kind, key);
    }

    /** Compiles and publishes what changed since the last call (nothing when nothing did). */
    public void compilePending() {
        if (compiler.hasPending()) {
            compiler.applyPending();
        }
    }
}
