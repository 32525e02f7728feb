package io.isthmus.fastpath.control;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One published generation of an immutable table (read-copy-update): the control side builds a
 * whole new value and {@link #publish}es it; workers read {@link #current()} once at the start of a
 * batch and use that value for the whole batch.
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

    public Published(T initial) {
        VALUE.setRelease(this, initial);
    }

    /** Control side: makes {@code next} the value every worker uses from its next batch on. */
    public void publish(T next) {
        VALUE.setRelease(this, next);
    }

    /** Worker side: the latest published value (may be {@code null} before the first publication). */
    @SuppressWarnings("unchecked")
    public T current() {
        return (T) VALUE.getAcquire(this);
    }
}
