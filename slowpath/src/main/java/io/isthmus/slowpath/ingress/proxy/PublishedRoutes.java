package io.isthmus.slowpath.ingress.proxy;

import io.isthmus.slowpath.ingress.match.RouteTable;
import io.isthmus.slowpath.ingress.tls.CertificateStore;

/**
 * The route table and certificates the proxy serves, swapped as one.
 *
 * <p><b>Thread-safety:</b> one writer (the controller's compile thread, or the CLI) calls
 * {@link #publish}; event loops call {@link #current()} once per request or handshake and keep
 * that snapshot for it. The volatile field is the only shared state: snapshots are immutable.
 */
public final class PublishedRoutes {
    /** One generation: routes and certificates compiled from the same inputs. */
    public record Snapshot(RouteTable routes, CertificateStore certificates) {
    }

    private volatile Snapshot current = new Snapshot(RouteTable.empty(), CertificateStore.empty());

    public Snapshot current() {
        return current;
    }

    public void publish(RouteTable routes, CertificateStore certificates) {
        current = new Snapshot(routes, certificates);
    }
}
