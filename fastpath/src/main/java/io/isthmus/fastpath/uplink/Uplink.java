package io.isthmus.fastpath.uplink;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A worker's view of the node's uplink: the current {@link UplinkBinding} (null while no uplink is
 * attached) and the {@link UplinkNeighbors} learned from what arrives on it. One per
 * {@code PipelineContext}; the uplink stages read it.
 *
 * <p><b>Thread-safety:</b> the binding has one writer, the runtime's control thread
 * ({@code UplinkPort}), which publishes it with a release store after the worker holds the port
 * and clears it before the worker lets the port go; the worker reads it with an acquire load once
 * per stage and batch. The neighbors belong to the worker alone.
 */
public final class Uplink {
    private static final VarHandle BINDING;

    static {
        try {
            BINDING = MethodHandles.lookup().findVarHandle(Uplink.class, "binding", UplinkBinding.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @SuppressWarnings("unused") // accessed through BINDING
    private UplinkBinding binding;
    private final UplinkNeighbors neighbors = new UplinkNeighbors(UplinkNeighbors.DEFAULT_CAPACITY_ENTRIES);

    /** Worker: the current binding (acquire), or null when no uplink is attached. */
    public UplinkBinding bindingAcquire() {
        return (UplinkBinding) BINDING.getAcquire(this);
    }

    /** Control thread: publishes the uplink's slot and MAC (release), after the worker took the port. */
    public void bindRelease(UplinkBinding newBinding) {
        BINDING.setRelease(this, newBinding);
    }

    /** Control thread: no uplink any more (release), before the worker lets the port go. */
    public void unbindRelease() {
        BINDING.setRelease(this, (UplinkBinding) null);
    }

    /** Worker only. */
    public UplinkNeighbors neighbors() {
        return neighbors;
    }
}
