package io.isthmus.fastpath.control.compile;

import io.isthmus.lb.compile.Compilation;
import io.isthmus.lb.compile.NodeContext;
import io.isthmus.lb.compile.ServiceCompiler;
import io.isthmus.lb.model.EndpointSlice;
import io.isthmus.lb.model.Service;

import java.util.HashMap;
import java.util.Map;

/**
 * The desired Services and EndpointSlices of the load balancer, and the {@link ServiceCompiler}
 * that turns them into {@link io.isthmus.lb.table.ServiceTable} generations. Every change is
 * handed to the compiler, which recompiles only the Services whose record or slices changed and
 * assembles the new table from the pieces it keeps; it remembers Maglev tables between
 * generations, so a changed backend set moves only ~1/N of new flows.
 *
 * <p><b>Thread-safety:</b> none; owned by the fast path's control agent (via
 * {@link io.isthmus.fastpath.control.DesiredStateTables}).
 */
public final class LbDesiredState {
    private final Map<String, Service> services = new HashMap<>();
    private final Map<String, EndpointSlice> slices = new HashMap<>();
    private final ServiceCompiler compiler;
    private boolean dirty;

    public LbDesiredState(NodeContext node) {
        this.compiler = new ServiceCompiler(node);
    }

    public boolean putService(String key, Service service) {
        Service old = services.put(key, service);
        if (service.equals(old)) {
            return false;
        }
        if (old != null && !old.serviceName().equals(service.serviceName())) {
            compiler.removeService(old.serviceName());
        }
        compiler.putService(service);
        return mark(true);
    }

    public boolean removeService(String key) {
        Service old = services.remove(key);
        if (old == null) {
            return false;
        }
        compiler.removeService(old.serviceName());
        return mark(true);
    }

    public boolean putSlice(String key, EndpointSlice slice) {
        if (slice.equals(slices.put(key, slice))) {
            return false;
        }
        compiler.putSlice(key, slice);
        return mark(true);
    }

    public boolean removeSlice(String key) {
        if (slices.remove(key) == null) {
            return false;
        }
        compiler.removeSlice(key);
        return mark(true);
    }

    public boolean dirty() {
        return dirty;
    }

    /** A new generation of everything desired now (only changed Services recompiled); clears {@link #dirty()}. */
    public Compilation compile() {
        dirty = false;
        return compiler.compile();
    }

    public int serviceCount() {
        return services.size();
    }

    private boolean mark(boolean changed) {
        dirty |= changed;
        return changed;
    }
}
