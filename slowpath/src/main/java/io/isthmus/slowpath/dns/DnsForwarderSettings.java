package io.isthmus.slowpath.dns;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * How the agent's DNS forwarder works.
 *
 * @param upstreams            resolvers to ask, in order (the next one after a timeout)
 * @param attemptTimeoutNs     how long one upstream has to answer before the next is asked
 * @param maxCacheEntries      answers kept (least recently used go first)
 * @param maxPendingQueries    queries waiting for an upstream at once; more get SERVFAIL at once
 * @param maxTtlSeconds        longest time an answer is cached, whatever its TTL
 */
public record DnsForwarderSettings(List<InetSocketAddress> upstreams, long attemptTimeoutNs, int maxCacheEntries,
                                   int maxPendingQueries, int maxTtlSeconds) {
    public static final long DEFAULT_ATTEMPT_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(2);
    public static final int DEFAULT_MAX_CACHE_ENTRIES = 10_000;
    public static final int DEFAULT_MAX_PENDING_QUERIES = 4_096;
    public static final int DEFAULT_MAX_TTL_SECONDS = 3_600;

    public DnsForwarderSettings {
        upstreams = List.copyOf(upstreams);
        if (upstreams.isEmpty()) {
            throw new IllegalArgumentException("the DNS forwarder needs at least one upstream resolver");
        }
        if (attemptTimeoutNs <= 0 || maxCacheEntries < 0 || maxPendingQueries <= 0 || maxPendingQueries > 65_536 || maxTtlSeconds < 0) {
            throw new IllegalArgumentException("DNS forwarder settings out of range: timeout " + attemptTimeoutNs
                    + " ns, cache " + maxCacheEntries + ", pending " + maxPendingQueries + " (1..65536), max TTL " + maxTtlSeconds);
        }
    }

    /** The defaults, asking {@code upstreams}. */
    public static DnsForwarderSettings of(List<InetSocketAddress> upstreams) {
        return new DnsForwarderSettings(upstreams, DEFAULT_ATTEMPT_TIMEOUT_NS, DEFAULT_MAX_CACHE_ENTRIES,
                DEFAULT_MAX_PENDING_QUERIES, DEFAULT_MAX_TTL_SECONDS);
    }

    /** The defaults, asking the nameservers of {@code resolvConf} (e.g. /etc/resolv.conf). */
    public static DnsForwarderSettings fromResolvConf(Path resolvConf) throws IOException {
        return of(ResolvConf.nameservers(resolvConf));
    }
}
