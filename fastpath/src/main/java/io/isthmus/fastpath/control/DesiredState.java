package io.isthmus.fastpath.control;

/**
 * Where the fast path's control agent puts the desired records the slow path sends
 * ({@link FastpathControl#beginSync}, {@link FastpathControl#upsert}, ...): the compiler of table
 * generations ({@code DesiredStateTables}, written by the control-plane side) implements it; the
 * runtime's {@code DesiredRecords} is a plain record store for a fast path without a compiler.
 *
 * <p><b>Thread-safety:</b> called by one thread only, the fast path's control agent.
 */
public interface DesiredState {

    void beginSync(long epoch);

    /** Records not announced since {@link #beginSync}{@code (epoch)} are removed. */
    void endSync(long epoch);

    void upsert(DesiredKind kind, String key, Object payload);

    void delete(DesiredKind kind, String key);
}
