package io.isthmus.conntrack;

import static io.isthmus.conntrack.ConntrackDescriptor.decisionServiceId;

/**
 * A tiny in-memory table and keys whose payload is derived from the key, shared by the jcstress
 * tests: a reader that finds key {@code k} must see service id {@code 100 + k} and a NAT
 * target {@code 10.0.1.k}, whatever else happens to the table.
 */
final class RaceFixture {

    static final int UDP = 17;

    final ConntrackTable table;

    RaceFixture(int capacity) {
        table = ConntrackTable.createInMemory(capacity, ConntrackTimeouts.linuxDefaults(), null);
    }

    static long client(int key) {
        return Addresses.ipv4Lo(0x0A00_0000 | key);
    }

    static long server() {
        return Addresses.ipv4Lo(0x0A00_00FE);
    }

    static long backend(int key) {
        return Addresses.ipv4Lo(0x0A00_0100 | key);
    }

    int insert(ConntrackCursor cursor, int key) {
        final ConnectionSpec spec = cursor.spec().tuple(0, client(key), 0, server(), 1000 + key, 53, UDP, 0)
            .dnat(0, backend(key), 5353).state(ConntrackState.UDP_UNREPLIED).decisions(100 + key, 1, key);
        return cursor.insert(spec, 1);
    }

    /** 0 = miss, 1 = hit with the right payload, 2 = hit with a wrong payload (never allowed). */
    int lookupChecked(ConntrackCursor cursor, int key) {
        final int ref = cursor.lookup(0, client(key), 0, server(), ConntrackDescriptor.ports(1000 + key, 53), UDP, 0);
        if (ref < 0) {
            return 0;
        }
        final ConntrackLookupBatch hit = cursor.lastLookup();
        final boolean right = decisionServiceId(hit.decision[0]) == 100 + key
            && hit.natDstLo[0] == backend(key) && hit.natSrcLo[0] == client(key)
            && hit.natPorts[0] == ConntrackDescriptor.ports(1000 + key, 5353);
        return right ? 1 : 2;
    }

    /**
     * Quiescent check: every index slot names a live entry, every live entry is in the index by
     * both tuples, overflow counts are exact, and live entries + free entries = capacity.
     */
    boolean indexConsistent() {
        return table.checkIndex() == null;
    }

    /** Node ref of key's original tuple, or -1. */
    int find(ConntrackCursor cursor, int key) {
        return cursor.lookup(0, client(key), 0, server(), ConntrackDescriptor.ports(1000 + key, 53), UDP, 0);
    }
}
