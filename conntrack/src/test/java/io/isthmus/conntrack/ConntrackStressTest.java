package io.isthmus.conntrack;

import static io.isthmus.conntrack.ConntrackDescriptor.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.ValueLayout;
import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Workers insert, track and remove; a reader checks every entry it finds against its key
 * (the payload is a function of the key); a sweeper expires entries as the clock runs. More
 * keys than entries, so early drops and refusals happen too. Bounded in time. Afterwards the
 * table must be consistent: every live entry found by both tuples, no key twice, every entry
 * either live or free exactly once.
 */
class ConntrackStressTest {
    /** Exceptions that ended a writer, reader or sweeper: a dead thread must fail the test, not shorten it. */
    private final java.util.Queue<String> threadFailures = new java.util.concurrent.ConcurrentLinkedQueue<>();


    private static final int CAPACITY = 4096;
    private static final int KEYS = 3 * CAPACITY;
    private static final long RUN_MS = 1500;

    static long client(int key) {
        return Addresses.ipv4Lo(0x0A00_0000 | key);
    }

    static long backend(int key) {
        return Addresses.ipv4Lo(0x0B00_0000 | key);
    }

    private static final int READER_BATCH = 37;
    static final long SERVER = Addresses.ipv4Lo(0x0C00_0001);

    @ParameterizedTest(name = "batch reader prefetch {0}")
    @ValueSource(booleans = {true, false})
    void concurrentWritersReaderAndSweeperKeepTheTableConsistent(boolean prefetch) throws Exception {
        final ConntrackTable table = ConntrackTable.createInMemory(CAPACITY,
            ConntrackTimeouts.linuxDefaults().with(ConntrackState.UDP_UNREPLIED, 2).with(ConntrackState.UDP_REPLIED, 2)
                .with(ConntrackState.UDP_ASSURED, 3), null);
        final AtomicBoolean stop = new AtomicBoolean();
        final AtomicInteger clockS = new AtomicInteger(1);
        final ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
        final AtomicLong hits = new AtomicLong();
        final AtomicLong inserts = new AtomicLong();

        final Thread[] threads = new Thread[4];
        for (int w = 0; w < 2; w++) {
            final int stripe = w;
            threads[w] = new Thread(() -> {
                final ConntrackCursor cursor = table.cursor(stripe);
                final SplittableRandom random = new SplittableRandom(stripe);
                while (!stop.get()) {
                    final int key = random.nextInt(KEYS);
                    final int now = clockS.get();
                    final int ref = cursor.lookup(0, client(key), 0, SERVER, ports(key & 0xFFFF, 53), 17, 0);
                    if (ref < 0) {
                        final ConnectionSpec spec = cursor.spec().tuple(0, client(key), 0, SERVER, key & 0xFFFF, 53, 17, 0)
                            .dnat(0, backend(key), 5353).state(ConntrackState.UDP_UNREPLIED).decisions(key, 0, key & 0xFFF);
                        if (cursor.insert(spec, now) >= 0) {
                            inserts.incrementAndGet();
                        }
                    } else if (random.nextInt(8) == 0) {
                        cursor.remove(ref, cursor.lastLookup().seqZone(0));
                    } else {
                        final int seqZone = cursor.lastLookup().seqZone(0);
                        cursor.track(ref | (random.nextBoolean() ? DIR_REPLY : 0), seqZone, 0, 100, now);
                    }
                }
            }, "stress-writer-" + w);
        }
        threads[2] = new Thread(() -> {
            final ConntrackCursor cursor = table.cursor(5, prefetch ? ConntrackCursor.PrefetchMode.ALWAYS : ConntrackCursor.PrefetchMode.NEVER);
            // 37 keys: not a power of two, so the passes' address list is not filled to a round size.
            final ConntrackLookupBatch batch = new ConntrackLookupBatch(READER_BATCH);
            final SplittableRandom random = new SplittableRandom(99);
            while (!stop.get()) {
                for (int i = 0; i < READER_BATCH; i++) {
                    final int key = random.nextInt(KEYS);
                    if (random.nextBoolean()) {
                        batch.key(i, 0, client(key), 0, SERVER, ports(key & 0xFFFF, 53), 17, 0);
                    } else {
                        batch.key(i, 0, backend(key), 0, client(key), ports(5353, key & 0xFFFF), 17, 0);
                    }
                }
                cursor.lookupBatch(batch, READER_BATCH);
                for (int i = 0; i < READER_BATCH; i++) {
                    if (batch.ref[i] < 0) {
                        continue;
                    }
                    hits.incrementAndGet();
                    final boolean reply = (batch.ref[i] & 1) == DIR_REPLY;
                    final int key = reply ? Addresses.ipv4(batch.dstLo(i)) & 0xFFFFFF : Addresses.ipv4(batch.srcLo(i)) & 0xFFFFFF;
                    final boolean right = decisionServiceId(batch.decision[i]) == key
                        && decisionOutPort(batch.decision[i]) == (key & 0xFFF)
                        && (reply ? batch.natSrcLo[i] == SERVER && batch.natDstLo[i] == client(key)
                                    && batch.natPorts[i] == ports(53, key & 0xFFFF)
                                  : batch.natSrcLo[i] == client(key) && batch.natDstLo[i] == backend(key)
                                    && batch.natPorts[i] == ports(key & 0xFFFF, 5353));
                    if (!right) {
                        problems.add("key " + key + (reply ? " reply" : " orig") + " has a wrong payload");
                    }
                }
            }
        }, "stress-reader");
        threads[3] = new Thread(() -> {
            final ConntrackSweeper sweeper = new ConntrackSweeper(table, 256);
            final long start = System.nanoTime();
            while (!stop.get()) {
                // The table clock runs 10x faster than real time, so entries expire during the run.
                final int now = 1 + (int) ((System.nanoTime() - start) / 100_000_000L);
                clockS.set(now);
                sweeper.sweep(table.epochUnixMs + now * 1000L);
            }
        }, "stress-sweeper");
        for (Thread thread : threads) {
            thread.setUncaughtExceptionHandler((t, e) -> threadFailures.add(t.getName() + ": " + e));
            thread.start();
        }
        Thread.sleep(RUN_MS);
        stop.set(true);
        for (Thread thread : threads) {
            thread.join(10_000);
            assertTrue(!thread.isAlive(), thread.getName() + " did not stop");
            assertTrue(threadFailures.isEmpty(), "a thread died: " + threadFailures);
        }
        assertTrue(problems.isEmpty(), "reader saw: " + problems.stream().limit(10).toList());
        assertTrue(inserts.get() > CAPACITY, "too little work to mean anything: " + inserts.get() + " inserts");
        assertTrue(hits.get() > 1000, "too few hits: " + hits.get());
        assertConsistent(table);

        // Everything expires: the table empties and every entry is free again.
        final ConntrackSweeper sweeper = new ConntrackSweeper(table, 1024);
        sweeper.sweepAll(table.epochUnixMs + 1_000_000_000L);
        assertEquals(CAPACITY, table.freeCount());
        assertEquals(0, table.size());
    }

    /**
     * Two workers insert a connection and remove it at once, on a small full table where early
     * drops and the sweeper run too: the entries they free are reused at once (LIFO free list),
     * the sharpest test of the claim / unlink / free / reuse sequence.
     */
    @Test
    void insertAndRemoveAtOnceWithEarlyDropsAndSweeper() throws Exception {
        final int capacity = 256;
        final ConntrackTable table = ConntrackTable.createInMemory(capacity, ConntrackTimeouts.linuxDefaults(), null);
        final ConntrackCursor filler = table.cursor(7);
        for (int key = 0; key < capacity - 8; key++) {
            filler.insert(filler.spec().tuple(0, client(key), 0, SERVER, key & 0xFFFF, 53, 17, 0)
                .dnat(0, backend(key), 5353).state(ConntrackState.UDP_UNREPLIED).decisions(key, 0, key & 0xFFF), 1);
        }
        final AtomicBoolean stop = new AtomicBoolean();
        final AtomicLong cycles = new AtomicLong();
        final ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
        final Thread[] threads = new Thread[3];
        for (int w = 0; w < 2; w++) {
            final int stripe = w;
            threads[w] = new Thread(() -> {
                final ConntrackCursor cursor = table.cursor(stripe);
                int n = 0;
                while (!stop.get()) {
                    final int key = 100_000 + stripe * 50_000 + (n++ % 50_000);
                    final int ref = cursor.insert(cursor.spec().tuple(0, client(key), 0, SERVER, key & 0xFFFF, 53, 17, 0)
                        .dnat(0, backend(key), 5353).state(ConntrackState.UDP_UNREPLIED).decisions(key, 0, key & 0xFFF), 2 + n / 1000);
                    if (ref >= 0) {
                        if (cursor.lookup(0, backend(key), 0, client(key), ports(5353, key & 0xFFFF), 17, 0) != (ref | DIR_REPLY)) {
                            problems.add("reply of fresh key " + key + " not found");
                        }
                        // Its slots may be ones another thread's removal emptied an instant
                        // before: their tag bytes must be this connection's (layout 4).
                        if (cursor.lookup(0, client(key), 0, SERVER, ports(key & 0xFFFF, 53), 17, 0) != ref) {
                            problems.add("original of fresh key " + key + " not found");
                        }
                        cursor.remove(ref, cursor.insertedSeqZone());
                        cycles.incrementAndGet();
                    }
                }
            }, "churn-" + w);
        }
        threads[2] = new Thread(() -> {
            final ConntrackSweeper sweeper = new ConntrackSweeper(table, 64);
            while (!stop.get()) {
                sweeper.sweep(table.epochUnixMs);
                Thread.onSpinWait();
            }
        }, "churn-sweeper");
        for (Thread thread : threads) {
            thread.setUncaughtExceptionHandler((t, e) -> threadFailures.add(t.getName() + ": " + e));
            thread.start();
        }
        Thread.sleep(1000);
        stop.set(true);
        for (Thread thread : threads) {
            thread.join(10_000);
            assertTrue(!thread.isAlive(), thread.getName() + " did not stop");
            assertTrue(threadFailures.isEmpty(), "a thread died: " + threadFailures);
        }
        assertTrue(problems.isEmpty(), problems.stream().limit(5).toList().toString());
        assertTrue(cycles.get() > 1000, "too few insert/remove cycles: " + cycles.get());
        new ConntrackSweeper(table, 256).sweepAll(table.epochUnixMs);
        assertConsistent(table);
    }

    /** Quiescent check: index, free list and entries agree. */
    static void assertConsistent(ConntrackTable table) {
        final ConntrackCursor cursor = table.cursor(6);
        final Set<Integer> keys = new HashSet<>();
        int live = 0;
        int dying = 0;
        for (int i = 0; i < table.capacity; i++) {
            final long base = table.entryBase(i);
            final long control = table.segment.get(ValueLayout.JAVA_LONG, base + CONTROL);
            final int status = controlStatus(control);
            if (seqOdd(control)) {
                assertEquals(0, status, "free entry " + i + " has a status");
                continue;
            }
            if ((statusFlags(status) & ConntrackFlags.DYING) != 0) {
                dying++;
                continue;
            }
            live++;
            final int key = Addresses.ipv4(table.segment.get(ValueLayout.JAVA_LONG, base + ORIG_SRC_LO)) & 0xFFFFFF;
            assertTrue(keys.add(key), "key " + key + " is live twice");
            assertEquals(i << 1, cursor.lookup(0, client(key), 0, SERVER, ports(key & 0xFFFF, 53), 17, 0), "orig of " + key);
            assertEquals(i << 1 | 1, cursor.lookup(0, backend(key), 0, client(key), ports(5353, key & 0xFFFF), 17, 0), "reply of " + key);
        }
        assertEquals(table.capacity, live + dying + table.freeCount(), "live + dying + free");
        // Every slot names a live entry once; every entry is in the index by both tuples.
        final String problem = table.checkIndex();
        assertTrue(problem == null, problem);
        assertEquals(live + dying, table.size(), "inserts - deletes");
    }
}
