package io.isthmus.slowpath.ingress.proxy;

import io.isthmus.slowpath.ingress.IngressSettings;
import io.netty.channel.EventLoop;

import java.util.IdentityHashMap;
import java.util.Map;

/**
 * What every handler of one proxy shares: the published routes, the settings and the backend
 * pools, one per event loop.
 *
 * <p><b>Thread-safety:</b> the pool map is filled before the first connection is accepted and
 * never changed; each pool is used by its own loop only.
 */
final class ProxyContext {
    private final PublishedRoutes routes;
    private final IngressSettings settings;
    private final Map<EventLoop, BackendPool> pools;

    ProxyContext(PublishedRoutes routes, IngressSettings settings, Map<EventLoop, BackendPool> pools) {
        this.routes = routes;
        this.settings = settings;
        this.pools = new IdentityHashMap<>(pools);
    }

    PublishedRoutes routes() {
        return routes;
    }

    IngressSettings settings() {
        return settings;
    }

    BackendPool pool(EventLoop loop) {
        final BackendPool pool = pools.get(loop);
        if (pool == null) {
            throw new IllegalStateException("no backend pool for event loop " + loop);
        }
        return pool;
    }
}
