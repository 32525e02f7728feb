package io.isthmus.lb.affinity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class AffinityTableTest {

    @Test
    void remembersLooksUpRefreshesAndExpires() {
        try (AffinityTable t = new AffinityTable(64)) {
            AffinityBackend b = new AffinityBackend();
            assertFalse(t.lookup(0, 0xffff_0a00_0001L, 7, 0, b));
            assertTrue(t.remember(0, 0xffff_0a00_0001L, 7, 0, 0xffff_0af4_0102L, 8080, 100, 0));
            assertTrue(t.lookup(0, 0xffff_0a00_0001L, 7, 50, b));
            assertEquals(0xffff_0af4_0102L, b.addressLo());
            assertEquals(8080, b.port());
            assertFalse(t.lookup(0, 0xffff_0a00_0001L, 8, 50, b), "another service port");
            assertFalse(t.lookup(0, 0xffff_0a00_0002L, 7, 50, b), "another client");
            assertFalse(t.lookup(0, 0xffff_0a00_0001L, 7, 100, b), "expired at its deadline");
            assertTrue(t.remember(0, 0xffff_0a00_0001L, 7, 0, 0xffff_0af4_0103L, 8080, 300, 150));
            assertTrue(t.lookup(0, 0xffff_0a00_0001L, 7, 200, b));
            assertEquals(0xffff_0af4_0103L, b.addressLo());
        }
    }

    @Test
    void aFullNeighbourhoodRefusesInsteadOfEvictingLiveEntries() {
        try (AffinityTable t = new AffinityTable(8)) {
            int stored = 0;
            for (int client = 0; client < 32; client++) {
                if (t.remember(0, client, 1, 0, client, 1, 1_000, 0)) {
                    stored++;
                }
            }
            assertEquals(8, stored);
            AffinityBackend b = new AffinityBackend();
            int found = 0;
            for (int client = 0; client < 32; client++) {
                if (t.lookup(0, client, 1, 10, b)) {
                    assertEquals(client, b.addressLo(), "a client never sees another client's backend");
                    found++;
                }
            }
            assertEquals(8, found);
            assertTrue(t.remember(0, 99, 1, 0, 99, 1, 5_000, 2_000), "expired entries are reused");
        }
    }

    /**
     * Review finding (session 4): a worker that met another worker's half-written entry skipped it
     * and wrote the client into the next entry; when that entry was the same client's (being
     * refreshed), the window held the client twice. Here the other worker is played by hand: the
     * client's entry is claimed (odd version) while a second remember runs, then published.
     */
    @Test
    void aClientBeingRewrittenElsewhereIsNotWrittenASecondTime() {
        try (AffinityTable t = new AffinityTable(64)) {
            long client = 0xffff_0a00_0001L;
            assertTrue(t.remember(0, client, 7, 0, 0xffff_0af4_0102L, 8080, 1_000, 0));
            MemorySegment m = t.segment();
            long entry = entryOf(m, client, 7);
            long version = m.get(ValueLayout.JAVA_LONG, entry + AffinityTableDescriptor.VERSION);
            m.set(ValueLayout.JAVA_LONG, entry + AffinityTableDescriptor.VERSION, version + 1);
            assertFalse(t.remember(0, client, 7, 0, 0xffff_0af4_0103L, 8080, 1_000, 10),
                    "gives up while an entry of the window is being written");
            m.set(ValueLayout.JAVA_LONG, entry + AffinityTableDescriptor.VERSION, version + 2);
            assertEquals(1, t.copiesOf(0, client, 7), "one entry per client and service port");
            assertTrue(t.remember(0, client, 7, 0, 0xffff_0af4_0103L, 8080, 1_000, 20), "once published, the entry is refreshed");
            assertEquals(1, t.copiesOf(0, client, 7));
        }
    }

    /**
     * Which entry a new client takes depends only on the window, not on the caller's clock (two
     * workers' clocks differ): a never-used entry before an expired one, else the earliest-expiring.
     */
    @Test
    void theEntryANewClientTakesDoesNotDependOnTheClock() {
        try (AffinityTable t = new AffinityTable(8)) {
            for (int client = 1; client <= 8; client++) {
                assertTrue(t.remember(0, client, 1, 0, client, 1, client * 100L, 0));
            }
            assertFalse(t.remember(0, 99, 1, 0, 99, 1, 5_000, 50), "every entry live at 50");
            assertTrue(t.remember(0, 99, 1, 0, 99, 1, 5_000, 350), "entries expiring at 100, 200, 300 are free at 350");
            assertEquals(0, t.copiesOf(0, 1, 1), "the earliest-expiring entry is the one reused");
            assertEquals(1, t.copiesOf(0, 2, 1));
            assertEquals(1, t.copiesOf(0, 3, 1));
            assertEquals(1, t.copiesOf(0, 99, 1));
        }
    }

    private static long entryOf(MemorySegment m, long clientLo, int servicePortId) {
        for (long at = 0; at < m.byteSize(); at += AffinityTableDescriptor.ENTRY_BYTES) {
            if (m.get(ValueLayout.JAVA_LONG, at + AffinityTableDescriptor.VERSION) != 0
                    && m.get(ValueLayout.JAVA_LONG, at + AffinityTableDescriptor.CLIENT_LO) == clientLo
                    && m.get(ValueLayout.JAVA_INT, at + AffinityTableDescriptor.SERVICE_PORT_ID) == servicePortId) {
                return at;
            }
        }
        throw new AssertionError("client not in the table");
    }

    /**
     * Many workers remember and look up overlapping clients at once. Every value is derived from
     * its key (backend = f(client, version)), so a reader can tell a torn read: the port must match
     * the address it came with. Bounded in time and count.
     */
    @Test
    void concurrentWorkersNeverSeeTornEntries() throws Exception {
        int threads = 4;
        try (AffinityTable t = new AffinityTable(4096)) {
            AtomicReference<String> failure = new AtomicReference<>();
            AtomicLong hits = new AtomicLong();
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(700);
            List<Thread> workers = new ArrayList<>();
            for (int w = 0; w < threads; w++) {
                int seed = w;
                workers.add(Thread.ofPlatform().start(() -> {
                    SplittableRandom random = new SplittableRandom(seed);
                    AffinityBackend b = new AffinityBackend();
                    for (int i = 0; i < 5_000_000 && System.nanoTime() < deadline && failure.get() == null; i++) {
                        long client = random.nextInt(512);
                        int sp = random.nextInt(3);
                        if (random.nextBoolean()) {
                            long backend = client * 1_000 + random.nextInt(1_000);
                            t.remember(client, ~client, sp, backend, ~backend, (int) (backend ^ sp), Long.MAX_VALUE, 0);
                        } else if (t.lookup(client, ~client, sp, 0, b)) {
                            hits.incrementAndGet();
                            if (b.addressLo() != ~b.addressHi() || b.port() != (int) (b.addressHi() ^ sp) || b.addressHi() / 1_000 != client) {
                                failure.compareAndSet(null, "client " + client + " sp " + sp + " saw " + b.addressHi() + "/" + b.addressLo() + "/" + b.port());
                            }
                        }
                    }
                }));
            }
            for (Thread worker : workers) {
                worker.join(TimeUnit.SECONDS.toMillis(10));
            }
            assertEquals(null, failure.get());
            assertTrue(hits.get() > 100, "the test must exercise hits, got " + hits.get());
        }
    }
}
