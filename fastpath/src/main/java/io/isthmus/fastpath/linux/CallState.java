package io.isthmus.fastpath.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.VarHandle;

/**
 * Where a downcall leaves {@code errno} ({@code Linker.Option.captureCallState("errno")}).
 * Fast-path code allocates one per port at setup and passes it to every raw call, so reading the
 * errno of a failed kick allocates nothing.
 *
 * <p><b>Thread-safety:</b> none; one owner thread (the worker of the port, or the slow-path
 * caller that made it).
 */
public final class CallState {
    static final StructLayout LAYOUT = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = LAYOUT.varHandle(MemoryLayout.PathElement.groupElement("errno"));

    private final MemorySegment segment;

    public CallState(Arena arena) {
        this.segment = arena.allocate(LAYOUT);
    }

    /** The segment to pass as a downcall's first argument. */
    public MemorySegment segment() {
        return segment;
    }

    /** The errno the last failed call through this state left. */
    public int errno() {
        return (int) ERRNO.get(segment, 0L);
    }
}
