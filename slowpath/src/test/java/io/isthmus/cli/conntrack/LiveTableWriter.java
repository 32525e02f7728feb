package io.isthmus.cli.conntrack;

import io.isthmus.conntrack.Addresses;
import io.isthmus.conntrack.ConntrackConfig;
import io.isthmus.conntrack.ConntrackCursor;
import io.isthmus.conntrack.ConntrackLookupBatch;
import io.isthmus.conntrack.ConntrackState;
import io.isthmus.conntrack.ConntrackSweeper;
import io.isthmus.conntrack.ConntrackTable;
import io.isthmus.conntrack.ConntrackTimeouts;
import io.isthmus.conntrack.proto.TcpFlags;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A stand-in for the fast path in CLI tests: owns a table, inserts {@code connections} TCP
 * connections 10.1.x.y:(10000+i) -> 10.96.0.1:80 DNAT'd to 10.244.0.9:8080, keeps sending
 * packets on them (counters move while the CLI reads) and runs the sweeper (flush requests,
 * heartbeat). Runs in a thread of the test JVM, or as its own process via {@link #main}.
 */
public final class LiveTableWriter implements AutoCloseable {

    public static final long VIP = Addresses.ipv4Lo(Addresses.parseIpv4("10.96.0.1"));
    public static final long BACKEND = Addresses.ipv4Lo(Addresses.parseIpv4("10.244.0.9"));

    public static long client(int i) {
        return Addresses.ipv4Lo(0x0A01_0000 | i);
    }

    private final ConntrackTable table;
    private final AtomicBoolean stop = new AtomicBoolean();
    private final Thread writer;
    private final Thread sweeper;

    public LiveTableWriter(Path path, int connections) throws Exception {
        table = ConntrackTable.create(new ConntrackConfig(path, 4096, ConntrackTimeouts.linuxDefaults()), null);
        final ConntrackCursor cursor = table.cursor(0);
        final int now = table.nowS(System.currentTimeMillis());
        for (int i = 0; i < connections; i++) {
            cursor.insert(cursor.spec().tuple(0, client(i), 0, VIP, 10000 + i, 80, 6, 0).dnat(0, BACKEND, 8080)
                .state(ConntrackState.TCP_SYN_SENT).decisions(17, 1, 3), now);
        }
        // Half of them complete the handshake: ESTABLISHED and ASSURED.
        for (int i = 0; i < connections; i += 2) {
            packet(cursor, i, true, TcpFlags.SYN | TcpFlags.ACK, now);
            packet(cursor, i, false, TcpFlags.ACK, now);
        }
        writer = new Thread(() -> {
            final ConntrackCursor c = table.cursor(1);
            int i = 0;
            while (!stop.get()) {
                packet(c, i, false, TcpFlags.ACK, table.nowS(System.currentTimeMillis()));
                i = (i + 1) % Math.max(1, connections);
                if (i == 0) {
                    Thread.onSpinWait();
                }
            }
        }, "live-table-writer");
        sweeper = new Thread(() -> {
            final ConntrackSweeper s = new ConntrackSweeper(table, 1024);
            while (!stop.get()) {
                s.doWork();
                try {
                    Thread.sleep(5);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "live-table-sweeper");
        writer.start();
        sweeper.start();
    }

    /**
     * Adds {@code count} UDP connections from clients {@code firstClient}.. to {@code vip}:53,
     * DNAT'd to {@code backendLo}:{@code port}. Call from one thread at a time.
     */
    public void addUdp(int firstClient, int count, long vipLo, long backendLo, int port) {
        final ConntrackCursor cursor = table.cursor(2);
        final int now = table.nowS(System.currentTimeMillis());
        for (int i = 0; i < count; i++) {
            if (cursor.insert(cursor.spec().tuple(0, client(firstClient + i), 0, vipLo, 20000 + i, 53, 17, 0).dnat(0, backendLo, port)
                .state(ConntrackState.UDP_UNREPLIED), now) < 0) {
                throw new IllegalStateException("cannot insert UDP connection " + i);
            }
        }
    }

    private static void packet(ConntrackCursor cursor, int i, boolean reply, int flags, int now) {
        final ConntrackLookupBatch hit = cursor.lastLookup();
        final int ref = reply
            ? cursor.lookup(0, BACKEND, 0, client(i), io.isthmus.conntrack.ConntrackDescriptor.ports(8080, 10000 + i), 6, 0)
            : cursor.lookup(0, client(i), 0, VIP, io.isthmus.conntrack.ConntrackDescriptor.ports(10000 + i, 80), 6, 0);
        if (ref >= 0) {
            cursor.track(ref, hit.seqZone(0), flags, 100, now);
        }
    }

    @Override
    public void close() throws Exception {
        stop.set(true);
        writer.join(5000);
        sweeper.join(5000);
        if (writer.isAlive() || sweeper.isAlive()) { // unmapping under a running thread would crash the JVM
            throw new IllegalStateException("the table's writer or sweeper did not stop within 5 s; table left mapped");
        }
        table.close();
    }

    /** {@code LiveTableWriter PATH CONNECTIONS}: prints "ready", runs until stdin closes (at most 60 s). */
    public static void main(String[] args) throws Exception {
        try (LiveTableWriter writer = new LiveTableWriter(Path.of(args[0]), Integer.parseInt(args[1]))) {
            System.out.println("ready");
            System.out.flush();
            final Thread watcher = new Thread(() -> {
                try {
                    while (System.in.read() >= 0) {
                        // wait for EOF
                    }
                } catch (java.io.IOException ignored) {
                    // parent gone
                }
            });
            watcher.setDaemon(true);
            watcher.start();
            watcher.join(60_000);
        } finally {
            java.nio.file.Files.deleteIfExists(Path.of(args[0]));
        }
    }
}
