package io.isthmus.conntrack;

import static io.isthmus.conntrack.ConntrackDescriptor.*;
import static io.isthmus.conntrack.TestTable.v4;
import static org.junit.jupiter.api.Assertions.*;

import io.isthmus.conntrack.memory.Prefetcher;
import io.isthmus.conntrack.nat.SnatPortPool;
import io.isthmus.conntrack.proto.TcpFlags;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ConntrackTableTest {

    private static final int TCP = 6;
    private static final int UDP = 17;
    private static final long CLIENT = v4("10.244.1.2");
    private static final long VIP = v4("10.96.0.10");
    private static final long BACKEND = v4("10.244.2.7");
    private static final long NODE = v4("192.168.1.10");

    @Test
    void bothDirectionsAreFoundAndCarryTheRewrite() throws Exception {
        try (TestTable t = new TestTable(64, null)) {
            final ConntrackCursor cursor = t.table.cursor(0);
            final ConnectionSpec spec = cursor.spec().tuple(0, CLIENT, 0, VIP, 40000, 80, TCP, 3)
                .dnat(0, BACKEND, 8080).state(ConntrackState.TCP_SYN_SENT).decisions(42, 1, 7);
            final int ref = cursor.insert(spec, 100);
            assertTrue(ref >= 0, "insert result " + ref);
            assertEquals(DIR_ORIGINAL, ref & 1);

            // Original direction: client -> VIP, rewrite to client -> backend.
            final int orig = cursor.lookup(0, CLIENT, 0, VIP, ports(40000, 80), TCP, 3);
            assertEquals(ref, orig);
            final ConntrackLookupBatch hit = cursor.lastLookup();
            assertEquals(CLIENT, hit.natSrcLo[0]);
            assertEquals(BACKEND, hit.natDstLo[0]);
            assertEquals(ports(40000, 8080), hit.natPorts[0]);
            assertEquals(42, decisionServiceId(hit.decision[0]));
            assertEquals(7, decisionOutPort(hit.decision[0]));
            assertEquals(1, statusVerdict(hit.status(0)));

            // Reply direction: backend -> client, rewrite to VIP -> client.
            final int reply = cursor.lookup(0, BACKEND, 0, CLIENT, ports(8080, 40000), TCP, 3);
            assertEquals(ref | DIR_REPLY, reply);
            assertEquals(VIP, hit.natSrcLo[0]);
            assertEquals(CLIENT, hit.natDstLo[0]);
            assertEquals(ports(80, 40000), hit.natPorts[0]);

            // Other zone, other protocol, swapped ports: misses.
            assertEquals(-1, cursor.lookup(0, CLIENT, 0, VIP, ports(40000, 80), TCP, 4));
            assertEquals(-1, cursor.lookup(0, CLIENT, 0, VIP, ports(40000, 80), UDP, 3));
            assertEquals(-1, cursor.lookup(0, CLIENT, 0, VIP, ports(80, 40000), TCP, 3));
            // The pre-NAT reply does not exist.
            assertEquals(-1, cursor.lookup(0, VIP, 0, CLIENT, ports(80, 40000), TCP, 3));
            assertEquals(1, t.table.size());
        }
    }

    @Test
    void ipv6TuplesAreKeys() throws Exception {
        try (TestTable t = new TestTable(16, null)) {
            final long[] a = Addresses.parse("fd00::1");
            final long[] b = Addresses.parse("fd00::2");
            final ConntrackCursor cursor = t.table.cursor(0);
            assertTrue(cursor.insert(cursor.spec().tuple(a[0], a[1], b[0], b[1], 1000, 53, UDP, 0).state(ConntrackState.UDP_UNREPLIED), 1) >= 0);
            assertTrue(cursor.lookup(b[0], b[1], a[0], a[1], ports(53, 1000), UDP, 0) >= 0);
            // Same low 64 bits, other high bits: a different address.
            assertEquals(-1, cursor.lookup(b[0] + 1, b[1], a[0], a[1], ports(53, 1000), UDP, 0));
        }
    }

    @Test
    void secondInsertOfSameTupleReportsTheFirst() throws Exception {
        try (TestTable t = new TestTable(16, null)) {
            final ConntrackCursor cursor = t.table.cursor(0);
            final int first = cursor.insert(cursor.spec().tuple(0, CLIENT, 0, VIP, 1, 2, UDP, 0).state(ConntrackState.UDP_UNREPLIED), 1);
            assertEquals(ConntrackCursor.INSERT_EXISTS,
                cursor.insert(cursor.spec().tuple(0, CLIENT, 0, VIP, 1, 2, UDP, 0).state(ConntrackState.UDP_UNREPLIED), 1));
            assertEquals(first, cursor.existingRef());
            // A different original tuple whose reply tuple collides with the first's reply.
            final ConnectionSpec clash = cursor.spec().tuple(0, NODE, 0, VIP, 1, 2, UDP, 0).state(ConntrackState.UDP_UNREPLIED);
            clash.replyDstLo = CLIENT;
            assertEquals(ConntrackCursor.INSERT_CLASH, cursor.insert(clash, 1));
            assertEquals(1, t.table.size());
            assertEquals(-1, cursor.lookup(0, NODE, 0, VIP, ports(1, 2), UDP, 0));
        }
    }

    @Test
    void trackingAdvancesStateCountersAndAssured() throws Exception {
        try (TestTable t = new TestTable(16, null)) {
            final ConntrackCursor cursor = t.table.cursor(0);
            cursor.insert(cursor.spec().tuple(0, CLIENT, 0, VIP, 5000, 443, TCP, 0).state(ConntrackState.TCP_SYN_SENT), 10);
            int ref = cursor.lookup(0, CLIENT, 0, VIP, ports(5000, 443), TCP, 0);
            assertEquals(ConntrackCursor.TRACK_ACCEPT, cursor.track(ref, cursor.lastLookup().seqZone(0), TcpFlags.SYN, 60, 10));
            ref = cursor.lookup(0, VIP, 0, CLIENT, ports(443, 5000), TCP, 0);
            assertEquals(ConntrackCursor.TRACK_ACCEPT, cursor.track(ref, cursor.lastLookup().seqZone(0), TcpFlags.SYN | TcpFlags.ACK, 60, 11));
            ref = cursor.lookup(0, CLIENT, 0, VIP, ports(5000, 443), TCP, 0);
            assertEquals(ConntrackCursor.TRACK_ACCEPT, cursor.track(ref, cursor.lastLookup().seqZone(0), TcpFlags.ACK, 1500, 12));
            // An invalid segment changes nothing and is not counted.
            assertEquals(ConntrackCursor.TRACK_INVALID, cursor.track(ref, cursor.lastLookup().seqZone(0), 0, 1500, 12));
            cursor.lookup(0, CLIENT, 0, VIP, ports(5000, 443), TCP, 0);
            final int status = cursor.lastLookup().status(0);
            assertEquals(ConntrackState.TCP_ESTABLISHED.id(), statusState(status));
            assertEquals(ConntrackFlags.SEEN_REPLY | ConntrackFlags.ASSURED,
                statusFlags(status) & (ConntrackFlags.SEEN_REPLY | ConntrackFlags.ASSURED));
            final long base = t.table.entryBase(ref >>> 1);
            assertEquals(2, t.table.segment.get(java.lang.foreign.ValueLayout.JAVA_INT, base + ORIG_PACKETS));
            assertEquals(1560, t.table.segment.get(java.lang.foreign.ValueLayout.JAVA_LONG, base + coldOffset(ref >>> 1, COLD_ORIG_BYTES)));
            assertEquals(1, t.table.segment.get(java.lang.foreign.ValueLayout.JAVA_INT, base + REPLY_PACKETS));
            assertEquals(12, t.table.segment.get(java.lang.foreign.ValueLayout.JAVA_INT, base + LAST_SEEN_S));
        }
    }

    @Test
    void sweeperRemovesExpiredAndReleasesSnatPorts() throws Exception {
        final SnatPortPool pool = new SnatPortPool().register(0, NODE, UDP, 30000, 30009);
        try (TestTable t = new TestTable(16, pool, ConntrackTimeouts.linuxDefaults().with(ConntrackState.UDP_UNREPLIED, 5))) {
            final ConntrackCursor cursor = t.table.cursor(0);
            final int ref = cursor.insertWithSnat(cursor.spec().tuple(0, CLIENT, 0, VIP, 1111, 53, UDP, 0)
                .state(ConntrackState.UDP_UNREPLIED), 0, NODE, 100);
            assertTrue(ref >= 0);
            final int port = destinationPort(t.table.segment.get(java.lang.foreign.ValueLayout.JAVA_INT, t.table.entryBase(ref >>> 1) + REPLY_PORTS));
            assertTrue(port >= 30000 && port <= 30009, "port " + port);
            assertEquals(1, pool.find(0, NODE, UDP).takenCount());
            // The reply comes back to the node port.
            assertEquals(ref | 1, cursor.lookup(0, VIP, 0, NODE, ports(53, port), UDP, 0));

            final ConntrackSweeper sweeper = new ConntrackSweeper(t.table, 4);
            final long epochMs = t.table.epochUnixMs;
            assertEquals(0, sweeper.sweepAll(epochMs + 104_000), "not expired yet at 104 s");
            assertEquals(1, sweeper.sweepAll(epochMs + 105_000), "expired at 100 + 5 s");
            assertEquals(-1, cursor.lookup(0, CLIENT, 0, VIP, ports(1111, 53), UDP, 0));
            assertEquals(0, pool.find(0, NODE, UDP).takenCount());
            assertEquals(0, t.table.size());
            assertEquals(1, t.table.counter(ConntrackCounter.DELETES));
        }
    }

    @Test
    void fullTableEarlyDropsUnassuredElseRefuses() throws Exception {
        try (TestTable t = new TestTable(4, null)) {
            final ConntrackCursor cursor = t.table.cursor(0);
            for (int i = 0; i < 4; i++) {
                assertTrue(cursor.insert(cursor.spec().tuple(0, CLIENT, 0, VIP, 1000 + i, 80, UDP, 0).state(ConntrackState.UDP_UNREPLIED), i) >= 0);
            }
            // Eight buckets, all within the probe window: the oldest (last seen 0) goes.
            assertTrue(cursor.insert(cursor.spec().tuple(0, CLIENT, 0, VIP, 2000, 80, UDP, 0).state(ConntrackState.UDP_UNREPLIED), 9) >= 0);
            assertEquals(-1, cursor.lookup(0, CLIENT, 0, VIP, ports(1000, 80), UDP, 0));
            assertTrue(cursor.lookup(0, CLIENT, 0, VIP, ports(1001, 80), UDP, 0) >= 0);
            assertEquals(1, t.table.counter(ConntrackCounter.EARLY_DROPS));

            // Assure everything: nothing may be dropped, the new flow is refused.
            for (int port : new int[] {1001, 1002, 1003, 2000}) {
                int ref = cursor.lookup(0, VIP, 0, CLIENT, ports(80, port), UDP, 0);
                cursor.track(ref, cursor.lastLookup().seqZone(0), 0, 10, 10);
                ref = cursor.lookup(0, CLIENT, 0, VIP, ports(port, 80), UDP, 0);
                assertEquals(ConntrackCursor.TRACK_ACCEPT, cursor.track(ref, cursor.lastLookup().seqZone(0), 0, 10, 10));
            }
            assertEquals(ConntrackCursor.INSERT_FULL,
                cursor.insert(cursor.spec().tuple(0, CLIENT, 0, VIP, 3000, 80, UDP, 0).state(ConntrackState.UDP_UNREPLIED), 11));
            assertEquals(1, t.table.counter(ConntrackCounter.REFUSED));
            assertEquals(4, t.table.size());
        }
    }

    @ParameterizedTest(name = "prefetch {0}")
    @ValueSource(booleans = {true, false})
    void batchLookupMatchesSingleLookups(boolean prefetch) throws Exception {
        try (TestTable t = new TestTable(1024, null)) {
            final ConntrackCursor cursor = t.table.cursor(0, prefetch ? ConntrackCursor.PrefetchMode.ALWAYS : ConntrackCursor.PrefetchMode.NEVER);
            assertEquals(prefetch && Prefetcher.ENABLED, cursor.prefetches());
            for (int i = 0; i < 500; i++) {
                assertTrue(cursor.insert(cursor.spec().tuple(0, CLIENT + i, 0, VIP, 1000 + i, 80, TCP, 0).state(ConntrackState.TCP_SYN_SENT), 1) >= 0);
            }
            final ConntrackLookupBatch batch = new ConntrackLookupBatch(64);
            for (int i = 0; i < 64; i++) {
                // Even keys exist, odd keys do not.
                final int n = i * 7;
                batch.key(i, 0, CLIENT + n, 0, VIP, ports(1000 + n + (i & 1) * 5000, 80), TCP, 0);
            }
            assertEquals(32, cursor.lookupBatch(batch, 64));
            for (int i = 0; i < 64; i++) {
                final int single = cursor.lookup(batch.srcHi(i), batch.srcLo(i), batch.dstHi(i), batch.dstLo(i), batch.ports(i), TCP, 0);
                assertEquals(single, batch.ref[i], "key " + i);
                assertEquals((i & 1) == 0, batch.ref[i] >= 0, "key " + i);
            }
        }
    }

    /**
     * A worker's cursor (AUTO) prefetches once the table holds {@code PREFETCH_MIN_CONNECTIONS}
     * live connections, and uses touch loops below: the prefetch's calls cost CPU where every
     * line is in cache anyway.
     */
    @Test
    void autoPrefetchFollowsTheTableSize() {
        final int connections = (int) ConntrackCursor.PREFETCH_MIN_CONNECTIONS;
        final ConntrackTable table = ConntrackTable.createInMemory(connections + connections / 8, ConntrackTimeouts.linuxDefaults(), null);
        final ConntrackCursor filler = table.cursor(0);
        final ConntrackLookupBatch batch = new ConntrackLookupBatch(64);
        for (int i = 0; i < 64; i++) {
            batch.key(i, 0, CLIENT + i, 0, VIP, ports(1024 + i, 80), TCP, 0);
        }
        filler.lookupBatch(batch, 64);
        assertFalse(filler.prefetches(), "an empty table: touch loops");
        for (int n = 0; n < connections; n++) {
            assertTrue(filler.insert(filler.spec().tuple(0, CLIENT + n, 0, VIP, 1024 + (n & 0x7FFF), 80 + (n >>> 15), TCP, 0)
                .state(ConntrackState.TCP_SYN_SENT), 1) >= 0, "insert " + n);
        }
        final ConntrackCursor worker = table.cursor(1);
        assertEquals(64, worker.lookupBatch(batch, 64));
        assertEquals(Prefetcher.ENABLED, worker.prefetches(), "a large table prefetches where the process can: "
            + Prefetcher.emitted().reason());
        assertFalse(table.cursor(2, ConntrackCursor.PrefetchMode.NEVER).prefetches());
        assertEquals(Prefetcher.ENABLED, table.cursor(3, ConntrackCursor.PrefetchMode.ALWAYS).prefetches());
    }

    /**
     * A full table (the index at its designed load, some buckets overflowed), IPv4 and IPv6
     * connections with DNAT, every key looked up in batches by both tuples plus as many misses:
     * the batch must agree with single lookups and return each connection's own answer. Misses
     * meet chance tag matches (several per hundred), hits the overflowed buckets.
     */
    @ParameterizedTest(name = "prefetch {0}")
    @ValueSource(booleans = {true, false})
    void batchLookupsOfAFullTableAgreeWithSingleLookupsAndCarryEachAnswer(boolean prefetch) {
        final int capacity = 4096;
        final ConntrackTable table = ConntrackTable.createInMemory(capacity, ConntrackTimeouts.linuxDefaults(), null);
        final ConntrackCursor cursor = table.cursor(0, prefetch ? ConntrackCursor.PrefetchMode.ALWAYS : ConntrackCursor.PrefetchMode.NEVER);
            assertEquals(prefetch && Prefetcher.ENABLED, cursor.prefetches());
        for (int n = 0; n < capacity; n++) {
            final long hi = (n & 3) == 3 ? 0x2001_0db8_0000_0000L : 0;
            assertTrue(cursor.insert(cursor.spec().tuple(hi, CLIENT + n, hi, VIP + (n & 7), 1024 + n, 80, TCP, n & 1)
                .dnat(hi, BACKEND + n, 8080).state(ConntrackState.TCP_SYN_SENT).decisions(n, 1, n & 0xFF), 1) >= 0, "insert " + n);
        }
        int overflowed = 0;
        for (int b = 0; b < table.bucketCount(); b++) {
            overflowed += table.overflowCount(b) != 0 ? 1 : 0;
        }
        assertTrue(overflowed > 0, "some buckets overflowed at this load");
        final ConntrackLookupBatch batch = new ConntrackLookupBatch(64);
        int hits = 0;
        for (int first = 0; first < 3 * capacity; first += 64) {
            for (int i = 0; i < 64; i++) {
                final int k = first + i;
                final int n = k % capacity;
                final long hi = (n & 3) == 3 ? 0x2001_0db8_0000_0000L : 0;
                switch (k / capacity) {
                    case 0 -> batch.key(i, hi, CLIENT + n, hi, VIP + (n & 7), ports(1024 + n, 80), TCP, n & 1);
                    case 1 -> batch.key(i, hi, BACKEND + n, hi, CLIENT + n, ports(8080, 1024 + n), TCP, n & 1);
                    default -> batch.key(i, hi, CLIENT + n, hi, VIP + (n & 7), ports(1024 + n, 80), TCP, (n & 1) ^ 1);
                }
            }
            hits += cursor.lookupBatch(batch, 64);
            for (int i = 0; i < 64; i++) {
                final int k = first + i;
                final int n = k % capacity;
                final int single = cursor.lookup(batch.srcHi(i), batch.srcLo(i), batch.dstHi(i), batch.dstLo(i), batch.ports(i),
                    TCP, batch.zone(i));
                assertEquals(single, batch.ref[i], "key " + k);
                if (k / capacity == 2) {
                    assertEquals(-1, batch.ref[i], "another zone is another key: " + k);
                    continue;
                }
                assertEquals(k / capacity, batch.ref[i] & 1, "direction of key " + k);
                assertEquals(n, decisionServiceId(batch.decision[i]), "decision of key " + k);
                if (k < capacity) {
                    assertEquals(BACKEND + n, batch.natDstLo[i], "DNAT of key " + k);
                    assertEquals(ports(1024 + n, 8080), batch.natPorts[i]);
                } else {
                    assertEquals(VIP + (n & 7), batch.natSrcLo[i], "un-DNAT of reply " + k);
                    assertEquals(ports(80, 1024 + n), batch.natPorts[i]);
                }
            }
        }
        assertEquals(2 * capacity, hits);
    }

    @Test
    void icmpErrorFindsTheConnectionItIsAbout() throws Exception {
        try (TestTable t = new TestTable(16, null)) {
            final ConntrackCursor cursor = t.table.cursor(0);
            final int ref = cursor.insert(cursor.spec().tuple(0, CLIENT, 0, VIP, 4444, 53, UDP, 0)
                .dnat(0, BACKEND, 5353).state(ConntrackState.UDP_UNREPLIED), 1);
            // The backend's port is closed: a router returns an error about client -> backend:5353
            // (the packet after DNAT). The error travels back like a reply.
            assertEquals(ref | DIR_REPLY, cursor.lookupRelated(0, CLIENT, 0, BACKEND, ports(4444, 5353), UDP, 0));
            // The client's host rejects the answer it saw as VIP:53 -> client (after our rewrite):
            // that error travels toward the backend, like the original direction.
            assertEquals(ref, cursor.lookupRelated(0, VIP, 0, CLIENT, ports(53, 4444), UDP, 0));
            assertEquals(-1, cursor.lookupRelated(0, CLIENT, 0, BACKEND, ports(4444, 5354), UDP, 0));
        }
    }

    @Test
    void reopenedTableRebuildsIndexFreeListAndPorts() throws Exception {
        final SnatPortPool pool = new SnatPortPool().register(0, NODE, TCP, 40000, 40100);
        final TestTable t = new TestTable(8, pool);
        try {
            final ConntrackCursor cursor = t.table.cursor(0);
            cursor.insertWithSnat(cursor.spec().tuple(0, CLIENT, 0, VIP, 1, 80, TCP, 0).state(ConntrackState.TCP_SYN_SENT), 0, NODE, 1);
            cursor.insert(cursor.spec().tuple(0, CLIENT, 0, VIP, 2, 80, TCP, 0).state(ConntrackState.TCP_SYN_SENT), 1);
            t.table.close();
            final SnatPortPool freshPool = new SnatPortPool().register(0, NODE, TCP, 40000, 40100);
            try (ConntrackTable reopened = ConntrackTable.openAsOwner(new ConntrackConfig(t.path, 8, ConntrackTimeouts.linuxDefaults()), freshPool)) {
                final ConntrackCursor c2 = reopened.cursor(1);
                assertTrue(c2.lookup(0, CLIENT, 0, VIP, ports(1, 80), TCP, 0) >= 0);
                assertTrue(c2.lookup(0, VIP, 0, CLIENT, ports(80, 2), TCP, 0) >= 0);
                assertEquals(1, freshPool.find(0, NODE, TCP).takenCount());
                // Six free entries remain, then early drop would start.
                for (int i = 0; i < 6; i++) {
                    assertTrue(c2.insert(c2.spec().tuple(0, NODE, 0, VIP, 100 + i, 80, TCP, 0).state(ConntrackState.TCP_SYN_SENT), 2) >= 0);
                }
                assertEquals(0, reopened.counter(ConntrackCounter.EARLY_DROPS));
            }
        } finally {
            Files.deleteIfExists(t.path);
        }
    }

    @Test
    void layoutFitsTheBudget() {
        assertEquals(112, ENTRY_BYTES);
        final int capacity = 1 << 20;
        final long bytesPerConnection = (fileBytes(capacity, bucketCountFor(capacity)) - HEADER_BYTES) / capacity;
        assertEquals(128, bytesPerConnection, "bytes per connection, both directions: entry + index share");
        assertEquals(BUCKET_BYTES, REFS_OFFSET + SLOTS_PER_BUCKET * 4, "a bucket is one cache line: tags, overflow, u32 refs");
        assertTrue(TAGS_OFFSET + SLOTS_PER_BUCKET <= OVERFLOW_OFFSET && OVERFLOW_OFFSET + 4 <= REFS_OFFSET,
            "the tags, then the overflow count, fill the bucket's first 16 bytes");
        assertEquals(16, OVERFLOW_OFFSET + 4, "tags and overflow count are the two longs a scan reads");
        assertTrue(2.0 / (SLOTS_PER_BUCKET * bucketCountFor(capacity) / (double) capacity) <= 0.67,
            "the index is at most two thirds full when the table is full");
        assertEquals(0, ENTRY_BYTES % 8, "u64 fields stay aligned");
        assertEquals(ENTRY_BYTES, WINDOW_BYTES + 8 * COLD_WORDS, "window and cold words fill the entry exactly");
        assertEquals(WINDOW_BYTES, REPLY_PACKETS + 4, "the window's fields fill its 64 bytes");
        assertEquals(0, entriesOffset(bucketCountFor(capacity)) % 64, "the entries start on a cache line");
        for (int i = 0; i < 8; i++) {
            final long entryStart = (long) ENTRY_BYTES * i;
            final long window = windowOffset(i);
            assertEquals(0, window % 64, "entry " + i + ": the window is one aligned cache line");
            assertTrue(window >= entryStart && window + WINDOW_BYTES <= entryStart + ENTRY_BYTES, "entry " + i + ": window inside the entry");
            final boolean[] used = new boolean[ENTRY_BYTES];
            for (int b = 0; b < WINDOW_BYTES; b++) {
                used[(int) (window - entryStart) + b] = true;
            }
            for (int c = 0; c < COLD_WORDS; c++) {
                final long at = window + coldOffset(i, c) - entryStart;
                assertEquals(0, at % 8, "entry " + i + " cold word " + c + " aligned");
                for (int b = 0; b < 8; b++) {
                    assertTrue(at + b >= 0 && at + b < ENTRY_BYTES, "entry " + i + " cold word " + c + " inside the entry");
                    assertFalse(used[(int) at + b], "entry " + i + " cold word " + c + " overlaps another field");
                    used[(int) at + b] = true;
                }
            }
        }
    }

    /** Files of layouts 2 and 3 (same entry size; no window, or the old index) are refused with a reason, not misread. */
    @Test
    void olderLayoutFilesAreRefused() {
        try (java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined()) {
            final java.lang.foreign.MemorySegment segment = arena.allocate(HEADER_BYTES, 64);
            segment.set(java.lang.foreign.ValueLayout.JAVA_LONG, MAGIC_OFFSET, MAGIC_VERSION_2);
            String problem = ConntrackTable.validate(segment);
            assertNotNull(problem);
            assertTrue(problem.contains("layout version 2"), problem);
            segment.set(java.lang.foreign.ValueLayout.JAVA_LONG, MAGIC_OFFSET, MAGIC_VERSION_3);
            problem = ConntrackTable.validate(segment);
            assertNotNull(problem);
            assertTrue(problem.contains("layout version 3") && problem.contains("remove it"), problem);
        }
    }

    /**
     * Layout 3 reads the high address words only for IPv6 keys or entries: an IPv4-mapped
     * connection and an IPv6 one whose low words are the same must each be found by its own
     * tuple only, in both directions, one key or batched, with the right rewrite answer.
     */
    @ParameterizedTest(name = "prefetch {0}")
    @ValueSource(booleans = {true, false})
    void ipv4AndIpv6WithTheSameLowWordsStayApart(boolean prefetch) throws Exception {
        try (TestTable t = new TestTable(64, null)) {
            final ConntrackCursor cursor = t.table.cursor(0, prefetch ? ConntrackCursor.PrefetchMode.ALWAYS : ConntrackCursor.PrefetchMode.NEVER);
            assertEquals(prefetch && Prefetcher.ENABLED, cursor.prefetches());
            final long hi = 0x2001_0db8_0000_0000L;
            final int ref4 = cursor.insert(cursor.spec().tuple(0, CLIENT, 0, VIP, 40000, 80, TCP, 0)
                .dnat(0, BACKEND, 8080).state(ConntrackState.TCP_SYN_SENT), 1);
            final int ref6 = cursor.insert(cursor.spec().tuple(hi, CLIENT, hi, VIP, 40000, 80, TCP, 0)
                .dnat(hi, BACKEND, 8080).state(ConntrackState.TCP_SYN_SENT), 1);
            assertTrue(ref4 >= 0 && ref6 >= 0 && ref4 != ref6);
            assertEquals(ref4, cursor.lookup(0, CLIENT, 0, VIP, ports(40000, 80), TCP, 0));
            assertEquals(ref6, cursor.lookup(hi, CLIENT, hi, VIP, ports(40000, 80), TCP, 0));
            assertEquals(hi, cursor.lastLookup().natDstHi[0], "the IPv6 answer keeps its high words");
            assertEquals(BACKEND, cursor.lastLookup().natDstLo[0]);
            assertEquals(ref6 | 1, cursor.lookup(hi, BACKEND, hi, CLIENT, ports(8080, 40000), TCP, 0));
            assertEquals(ref4 | 1, cursor.lookup(0, BACKEND, 0, CLIENT, ports(8080, 40000), TCP, 0));
            assertEquals(0L, cursor.lastLookup().natSrcHi[0]);
            assertEquals(-1, cursor.lookup(hi, CLIENT, 0, VIP, ports(40000, 80), TCP, 0), "mixed high words match neither");
            assertEquals(-1, cursor.lookup(0, CLIENT, hi, VIP, ports(40000, 80), TCP, 0));
            final ConntrackLookupBatch batch = new ConntrackLookupBatch(4);
            batch.key(0, 0, CLIENT, 0, VIP, ports(40000, 80), TCP, 0);
            batch.key(1, hi, CLIENT, hi, VIP, ports(40000, 80), TCP, 0);
            batch.key(2, hi, BACKEND, hi, CLIENT, ports(8080, 40000), TCP, 0);
            batch.key(3, 0, CLIENT, hi, VIP, ports(40000, 80), TCP, 0);
            assertEquals(3, cursor.lookupBatch(batch, 4));
            assertEquals(ref4, batch.ref[0]);
            assertEquals(0L, batch.natDstHi[0]);
            assertEquals(BACKEND, batch.natDstLo[0]);
            assertEquals(ref6, batch.ref[1]);
            assertEquals(hi, batch.natDstHi[1]);
            assertEquals(ref6 | 1, batch.ref[2]);
            assertEquals(hi, batch.natSrcHi[2]);
            assertEquals(VIP, batch.natSrcLo[2], "the reply is un-DNATed to the VIP");
            assertEquals(-1, batch.ref[3]);
            assertEquals(ConntrackFlags.IPV6, statusFlags(batch.status(1)) & ConntrackFlags.IPV6);
            assertEquals(0, statusFlags(batch.status(0)) & ConntrackFlags.IPV6);
            assertNull(t.table.checkIndex());
        }
    }
}
