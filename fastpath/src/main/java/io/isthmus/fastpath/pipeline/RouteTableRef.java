package io.isthmus.fastpath.pipeline;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The published {@link RouteTable} generation (read-copy-update): the control side builds a whole
 * new table and {@link #publish}es it; workers {@link #current()} it once at the start of each batch.
 *
 * <p><b>Thread-safety:</b> one writer (the control side) publishes with a release store; any number
 * of workers read with an acquire load, so everything the writer put in the table happens-before a
 * worker's first look at it. Nothing waits.
 */
public final class RouteTableRef {
    private static final VarHandle TABLE;

    static {
        try {
            TABLE = MethodHandles.lookup().findVarHandle(RouteTableRef.class, "table", RouteTable.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @SuppressWarnings("unused") // accessed through TABLE
    private RouteTable table;

    public RouteTableRef(RouteTable initial) {
        TABLE.setRelease(this, initial);
    }

    /** Control side: makes {@code next} the table every worker uses from its next batch on. */
    public void publish(RouteTable next) {
        TABLE.setRelease(this, next);
    }

    /** Worker side: the latest published table. */
    public RouteTable current() {
        return (RouteTable) TABLE.getAcquire(this);
    }
}
