package io.isthmus.fastpath.control;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.function.Consumer;

/**
 * One published generation of an immutable table (read-copy-update): the control side builds a
 * whole new value and {@link #publish}es it; workers read {@link #current()} once at the start of a
 * batch and use that value for the whole batch.
 *
 * <p>With a {@link GenerationReclaimer} and a free action, {@link #publish} retires the replaced
 * generation onto the reclaimer, which frees it (on a slow-path thread) once every registered
 * reader has moved past it; a reader must then hold a registered slot
 * ({@link GenerationReclaimer.Reader}: a worker's, or a {@link GenerationReclaimer#pin()}) from
 * before its {@link #current()} until it stops using the value. Without one, replaced values are
 * left to the garbage collector.
 *
 * <p><b>Thread-safety:</b> one writer (the fast path's control agent) publishes with a release
 * store; any number of workers read with an acquire load. Nothing waits.
 *
 * @param <T> the table type; {@code null} means "not published yet" and stages treat it as empty
 */
public final class Published<T> {
    private static final VarHandle VALUE;

    static {
        try {
            VALUE = MethodHandles.lookup().findVarHandle(Published.class, "value", Object.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @SuppressWarnings("unused") // accessed through VALUE
    private Object value;
    private final GenerationReclaimer reclaimer;
    private final Consumer<? super T> free;

    public Published(T initial) {
        this(initial, null, null);
    }

    /**
     * @param reclaimer frees replaced values once no reader holds them (null: the garbage collector does)
     * @param free      frees one value (e.g. {@code ServiceTable::free}); null with a null reclaimer
     */
    public Published(T initial, GenerationReclaimer reclaimer, Consumer<? super T> free) {
        if ((reclaimer == null) != (free == null)) {
            throw new IllegalArgumentException("a published table needs both a reclaimer and a free action, or neither");
        }
        this.reclaimer = reclaimer;
        this.free = free;
        VALUE.setRelease(this, initial);
    }

    /**
     * Control side (the one writer): makes {@code next} the value every worker uses from its next
     * batch on, and retires the value it replaces (freed once every reader moved past it).
     */
    @SuppressWarnings("unchecked")
    public void publish(T next) {
        final T previous = (T) VALUE.getAcquire(this);
        VALUE.setRelease(this, next);
        if (reclaimer != null && previous != null && previous != next) {
            reclaimer.retire(() -> free.accept(previous));
        }
    }

    /** The reclaimer replaced values go to, or null (garbage collected). */
    public GenerationReclaimer reclaimer() {
        return reclaimer;
    }

    /** Worker side: the latest published value (may be {@code null} before the first publication). */
    @SuppressWarnings("unchecked")
    public T current() {
        return (T) VALUE.getAcquire(this);
    }
}
