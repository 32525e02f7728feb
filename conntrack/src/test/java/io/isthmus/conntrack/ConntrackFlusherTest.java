package io.isthmus.conntrack;

import static io.isthmus.conntrack.ConntrackDescriptor.ports;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.isthmus.conntrack.reader.ConntrackReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Flushes through the owner: filtered in process, and requested by a tool through the header mailbox. */
class ConntrackFlusherTest {

    private static final long VIP = Addresses.ipv4Lo(0x0A60_000A);
    private static final long BACKEND_A = Addresses.ipv4Lo(0x0AF4_0007);
    private static final long BACKEND_B = Addresses.ipv4Lo(0x0AF4_0008);
    private static final int UDP = 17;
    private static final int TCP = 6;

    private static long client(int i) {
        return Addresses.ipv4Lo(0x0A01_0000 | i);
    }

    /** 100 UDP to A:53, 100 UDP to B:53, 50 TCP to A:80 (clients 0..249). */
    private static void fill(ConntrackTable table) {
        final ConntrackCursor cursor = table.cursor(0);
        for (int i = 0; i < 250; i++) {
            final boolean udp = i < 200;
            final long backend = i < 100 || i >= 200 ? BACKEND_A : BACKEND_B;
            final int ref = cursor.insert(cursor.spec().tuple(0, client(i), 0, VIP, 1000 + i, udp ? 53 : 80, udp ? UDP : TCP, 0)
                .dnat(0, backend, udp ? 53 : 80).state(udp ? ConntrackState.UDP_UNREPLIED : ConntrackState.TCP_SYN_SENT), 1);
            assertTrue(ref >= 0, "insert " + i);
        }
    }

    private static boolean present(ConntrackCursor cursor, int i) {
        final boolean udp = i < 200;
        return cursor.lookup(0, client(i), 0, VIP, ports(1000 + i, udp ? 53 : 80), udp ? UDP : TCP, 0) >= 0;
    }

    @Test
    void anEndpointsUdpConnectionsGoWhileWorkersRun() throws Exception {
        final ConntrackTable table = ConntrackTable.createInMemory(512, ConntrackTimeouts.linuxDefaults(), null);
        fill(table);
        final AtomicBoolean stop = new AtomicBoolean();
        final AtomicLong tracked = new AtomicLong();
        final List<Throwable> failures = new ArrayList<>();
        final Thread worker = new Thread(() -> {
            try {
                final ConntrackCursor cursor = table.cursor(1);
                for (int n = 0; !stop.get() && n < 50_000_000; n++) {
                    final int i = 100 + n % 150; // never the connections being flushed
                    assertTrue(present(cursor, i), "connection " + i + " stays");
                    cursor.track(cursor.lastLookup().ref[0], cursor.lastLookup().seq(0), 0, 10, 2);
                    tracked.incrementAndGet();
                }
            } catch (Throwable t) {
                synchronized (failures) {
                    failures.add(t);
                }
            }
        }, "flusher-test-worker");
        worker.start();
        try {
            while (tracked.get() < 1000 && worker.isAlive()) {
                Thread.onSpinWait();
            }
            assertEquals(100, table.flusher().flushBackend(0, BACKEND_A, 53, UDP), "the 100 UDP connections to A:53");
            assertEquals(0, table.flusher().flushBackend(0, BACKEND_A, 53, UDP), "nothing left to flush");
        } finally {
            stop.set(true);
            worker.join(10_000);
        }
        assertTrue(failures.isEmpty(), failures.toString());
        final ConntrackCursor cursor = table.cursor(2);
        for (int i = 0; i < 250; i++) {
            assertEquals(i >= 100, present(cursor, i), "connection " + i);
        }
        assertNull(table.checkIndex());
        assertEquals(150, table.size());
        assertEquals(100, table.counter(ConntrackCounter.DELETES));
    }

    @Test
    void aToolsRequestIsCarriedOutAndAcknowledgedByTheOwner() throws Exception {
        final Path file = Path.of("/dev/shm/isthmus-ct-flush-" + ProcessHandle.current().pid());
        final AtomicBoolean stop = new AtomicBoolean();
        try (ConntrackTable table = ConntrackTable.create(new ConntrackConfig(file, 512, ConntrackTimeouts.linuxDefaults()), null)) {
            fill(table);
            final ConntrackSweeper sweeper = new ConntrackSweeper(table, 64);
            final Thread owner = new Thread(() -> {
                for (int n = 0; !stop.get() && n < 100_000; n++) {
                    sweeper.sweep(table.epochUnixMs + 2000);
                    try {
                        Thread.sleep(2);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "flusher-test-owner");
            owner.start();
            try (ConntrackReader reader = ConntrackReader.open(file)) {
                final var tcp = reader.flush(ConntrackFlushFilter.ALL.withProto(TCP), 5000);
                assertTrue(tcp.acknowledged(), "acknowledged");
                assertEquals(50, tcp.removed());
                assertEquals(1, tcp.generation());
                assertEquals(200, reader.count());
                final var all = reader.flush(ConntrackFlushFilter.ALL, 5000);
                assertEquals(new ConntrackReader.FlushOutcome(2, 200, true), all);
                assertEquals(0, reader.count());
            } finally {
                stop.set(true);
                owner.join(10_000);
            }
            assertNull(table.checkIndex());
        } finally {
            Files.deleteIfExists(file);
        }
    }

    @Test
    void aRequestNobodyServesTimesOutAndLeavesTheTableAlone() throws Exception {
        final Path file = Path.of("/dev/shm/isthmus-ct-noflush-" + ProcessHandle.current().pid());
        try (ConntrackTable table = ConntrackTable.create(new ConntrackConfig(file, 512, ConntrackTimeouts.linuxDefaults()), null)) {
            fill(table);
            try (ConntrackReader reader = ConntrackReader.open(file)) {
                final var outcome = reader.flush(ConntrackFlushFilter.ALL, 100);
                assertTrue(!outcome.acknowledged());
                assertEquals(250, reader.count());
            }
            // The owner picks it up later.
            assertEquals(250, table.flusher().serviceRequests(System.currentTimeMillis()));
            assertEquals(0, table.size());
        } finally {
            Files.deleteIfExists(file);
        }
    }
}
