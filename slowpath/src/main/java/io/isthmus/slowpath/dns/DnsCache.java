package io.isthmus.slowpath.dns;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Upstream answers by question, for as long as their TTL says ({@link DnsMessages#cacheSeconds}):
 * a bounded map that forgets the least recently used entry first. An entry holds the response as
 * the upstream sent it (at most one frame's worth, ~2 KB) and when it was stored, so the memory is
 * bounded by {@code maxEntries} × 2 KB.
 *
 * <p><b>Thread-safety:</b> none; owned by the forwarder's thread.
 */
final class DnsCache {
    /** A cached response, its TTLs as received at {@code storedNs}. */
    record Cached(byte[] response, long storedNs, long expiresNs) {
    }

    private final int maxEntries;
    private final Map<DnsQuestion.Key, Cached> entries;

    DnsCache(int maxEntries) {
        this.maxEntries = maxEntries;
        this.entries = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<DnsQuestion.Key, Cached> eldest) {
                return size() > DnsCache.this.maxEntries;
            }
        };
    }

    /** The live entry for {@code key}, or null (an expired one is removed). */
    Cached get(DnsQuestion.Key key, long nowNs) {
        final Cached entry = entries.get(key);
        if (entry != null && nowNs - entry.expiresNs() >= 0) {
            entries.remove(key);
            return null;
        }
        return entry;
    }

    void put(DnsQuestion.Key key, byte[] response, long ttlSeconds, long nowNs) {
        if (maxEntries == 0 || ttlSeconds <= 0) {
            return;
        }
        entries.put(key, new Cached(response.clone(), nowNs, nowNs + ttlSeconds * 1_000_000_000L));
    }

    int size() {
        return entries.size();
    }
}
