package io.isthmus.lb.affinity;

import java.lang.foreign.Arena;

/**
 * Shared by the affinity jcstress races: a small table (memory freed by the GC, since jcstress
 * makes many states) and backends whose fields are derived from one number, so a reader can tell
 * a whole entry from a torn one.
 */
final class AffinityRaceFixture {

    static final long CLIENT_HI = 0;
    static final long CLIENT_LO = 0x0000_ffff_0af4_0909L;
    static final int SERVICE_PORT = 7;
    static final long FAR_FUTURE_NS = Long.MAX_VALUE / 2;

    /** A torn or inconsistent read. */
    static final int TORN = -1;
    static final int MISS = 0;

    final AffinityTable table = new AffinityTable(8, Arena.ofAuto());
    private final AffinityBackend scratch = new AffinityBackend();

    boolean remember(int backend) {
        return table.remember(CLIENT_HI, CLIENT_LO, SERVICE_PORT, hi(backend), lo(backend), port(backend), FAR_FUTURE_NS, 0);
    }

    /** The backend number seen (1, 2, ...), MISS, or TORN when its fields do not belong together. */
    int lookup() {
        if (!table.lookup(CLIENT_HI, CLIENT_LO, SERVICE_PORT, 0, scratch)) {
            return MISS;
        }
        int backend = (int) scratch.addressHi();
        boolean whole = backend > 0 && scratch.addressLo() == lo(backend) && scratch.port() == port(backend);
        return whole ? backend : TORN;
    }

    /** Entries holding the client (the table keeps at most one). */
    int copies() {
        return table.copiesOf(CLIENT_HI, CLIENT_LO, SERVICE_PORT);
    }

    private static long hi(int backend) {
        return backend;
    }

    private static long lo(int backend) {
        return 0x0000_ffff_0af4_0000L | backend * 0x101L;
    }

    private static int port(int backend) {
        return 8000 + backend;
    }
}
