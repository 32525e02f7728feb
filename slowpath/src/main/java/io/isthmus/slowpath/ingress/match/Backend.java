package io.isthmus.slowpath.ingress.match;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A backend as the proxy uses it: the Service the Ingress named and the pod addresses its
 * EndpointSlices list as ready for that port (empty: the proxy answers 503).
 *
 * <p><b>Thread-safety:</b> immutable once built by the route compiler, except the round-robin
 * cursor, which every proxy event loop advances with an atomic increment.
 */
public final class Backend {
    private final BackendRef ref;
    private final List<InetSocketAddress> endpoints;
    private final AtomicInteger cursor = new AtomicInteger();

    public Backend(BackendRef ref, List<InetSocketAddress> endpoints) {
        this.ref = ref;
        this.endpoints = List.copyOf(endpoints);
    }

    /** A backend whose endpoints are not known (the offline route command). */
    public static Backend unresolved(BackendRef ref) {
        return new Backend(ref, List.of());
    }

    public BackendRef ref() {
        return ref;
    }

    public List<InetSocketAddress> endpoints() {
        return endpoints;
    }

    /** The next endpoint in round-robin order, or null when there is none. */
    public InetSocketAddress nextEndpoint() {
        final int size = endpoints.size();
        if (size == 0) {
            return null;
        }
        return endpoints.get(Math.floorMod(cursor.getAndIncrement(), size));
    }

    @Override
    public String toString() {
        return ref + " " + endpoints;
    }
}
