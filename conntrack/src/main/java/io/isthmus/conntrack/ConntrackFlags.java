package io.isthmus.conntrack;

/** Bits of the flags byte of an entry's status word (see {@link ConntrackDescriptor}). */
public final class ConntrackFlags {

    private ConntrackFlags() {
    }

    /** Addresses are IPv6 (otherwise IPv4-mapped). */
    public static final int IPV6 = 1;
    /** A packet was seen in the reply direction. */
    public static final int SEEN_REPLY = 1 << 1;
    /** Traffic seen both ways long enough: never early-dropped. */
    public static final int ASSURED = 1 << 2;
    /** The reply source differs from the original destination (destination NAT). */
    public static final int DNAT = 1 << 3;
    /** The reply destination differs from the original source (source NAT, port from the pool). */
    public static final int SNAT = 1 << 4;
    /** Claimed for deletion: lookups ignore it, the claimant (or the sweeper) unlinks it. */
    public static final int DYING = 1 << 5;
    /**
     * Set by {@code track} (compare-and-set of the control word) when it moves the entry's
     * last-seen second, after writing it; cleared only by the sweeper. A sweeper that read the
     * control word without TICK and decided the entry had expired then fails its claim and
     * keeps the connection; one that sees TICK clears it and reads last seen again.
     */
    public static final int TICK = 1 << 6;
    /**
     * Both tuples are linked (Linux's IPS_CONFIRMED). Until then only the inserting worker may
     * remove the entry: nobody else claims, sweeps or early-drops a half-inserted connection.
     */
    public static final int CONFIRMED = 1 << 7;
}
