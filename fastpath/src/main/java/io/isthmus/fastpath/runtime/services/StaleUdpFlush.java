package io.isthmus.fastpath.runtime.services;

import io.isthmus.conntrack.ConntrackFlusher;
import io.isthmus.lb.compile.StaleUdpBackend;
import io.isthmus.lb.model.Protocol;

import java.util.List;

/**
 * Flushes the UDP conntrack entries of backends that went away, as kube-proxy does for deleted
 * UDP endpoints: UDP has no end, so without it a client that keeps sending (a DNS resolver with
 * a fixed source port) goes on being DNATed to the dead backend until its entry times out. After
 * the flush its next datagram is a new connection and gets a live backend.
 *
 * <p>Runs on the conntrack table's owner (the runtime's control agent thread) through
 * {@link ConntrackFlusher#flushBackend}: the normal removal path (claim by compareAndSet, unlink,
 * free), lock-free toward workers that keep running; a worker either still finds the entry or
 * misses it and creates a new one. A flush scans the whole table, so it costs one pass per stale
 * backend (backends go away at endpoint-change rates, not per packet).
 */
public final class StaleUdpFlush {
    private static final int UDP = 17;

    private StaleUdpFlush() {
    }

    /** Removes every entry whose reply source (the DNAT target) is one of {@code stale}; returns how many. */
    public static int flush(List<StaleUdpBackend> stale, ConntrackFlusher flusher) {
        int removed = 0;
        for (StaleUdpBackend backend : stale) {
            if (backend.protocol() == Protocol.UDP) {
                removed += flusher.flushBackend(backend.address().hi(), backend.address().lo(), backend.port(), UDP);
            }
        }
        return removed;
    }
}
