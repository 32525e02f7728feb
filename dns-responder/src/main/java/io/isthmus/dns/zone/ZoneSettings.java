package io.isthmus.dns.zone;

/**
 * How a zone is built.
 *
 * @param domain      the cluster domain, e.g. {@code cluster.local}
 * @param ttlSeconds  the TTL of every record (and the SOA minimum, so negative answers are cached as long)
 * @param serial      the SOA serial (the zone generation)
 * @param podRecords  answer the deprecated {@code a-b-c-d.<ns>.pod.<zone>} A records (spec 2.6),
 *                    synthesized from the name for any IPv4 address, as kube-dns did
 */
public record ZoneSettings(String domain, int ttlSeconds, long serial, boolean podRecords) {
    public static final String DEFAULT_DOMAIN = "cluster.local";
    public static final int DEFAULT_TTL_SECONDS = 5;
    public static final String SCHEMA_VERSION = "1.1.0";

    public ZoneSettings {
        if (ttlSeconds < 0) {
            throw new IllegalArgumentException("TTL must not be negative: " + ttlSeconds);
        }
        if (domain == null || domain.isBlank()) {
            throw new IllegalArgumentException("the cluster domain must not be empty");
        }
    }

    /** With the deprecated pod records on. */
    public ZoneSettings(String domain, int ttlSeconds, long serial) {
        this(domain, ttlSeconds, serial, true);
    }

    public static ZoneSettings defaults() {
        return new ZoneSettings(DEFAULT_DOMAIN, DEFAULT_TTL_SECONDS, 1);
    }
}
