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
 * that turns them into {@link io.isthmus.lb.table.ServiceTable} generations. The compiler compiles
 * the whole set each time (services-lb has no per-Service compilation), but remembers Maglev tables
 * between generations, so a changed backend set moves only ~1/N of new flows.
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
        return mark(!service.equals(services.put(key, service)));
    }

    public boolean removeService(String key) {
        return mark(services.remove(key) != null);
    }

    public boolean putSlice(String key, EndpointSlice slice) {
        return mark(!slice.equals(slices.put(key, slice)));
    }

    public boolean removeSlice(String key) {
        return mark(slices.remove(key) != null);
    }

    public boolean dirty() {
        return dirty;
    }

    /** A new generation of everything desired now; clears {@link #dirty()}. */
    public Compilation compile() {
        dirty = false;
        return compiler.compile(services.values(), slices.values());
    }

    public int serviceCount() {
        return services.size();
    }

    private boolean mark(boolean changed) {
        dirty |= changed;
        return changed;
    }
}
