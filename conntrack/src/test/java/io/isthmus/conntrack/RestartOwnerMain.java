package io.isthmus.conntrack;

import io.isthmus.conntrack.proto.TcpFlags;
import java.nio.file.Path;

/**
 * The first owner in {@link ConntrackRestartTest}, run as its own JVM: creates the table at
 * {@code args[0]}, opens one TCP connection through its handshake (client 10.0.0.1:40000 to
 * 10.96.0.10:80, DNAT to 10.244.0.5:8080), carries {@code args[1]} data packets each way, prints
 * "ready" and dies without closing the table (as a crashed fast path would); with {@code hold}
 * as {@code args[2]} it first stays alive until its stdin closes.
 */
public final class RestartOwnerMain {

    static final long CLIENT = Addresses.ipv4Lo(0x0A00_0001);
    static final long VIP = Addresses.ipv4Lo(0x0A60_000A);
    static final long BACKEND = Addresses.ipv4Lo(0x0AF4_0005);
    static final int TCP = 6;

    private RestartOwnerMain() {
    }

    public static void main(String[] args) throws Exception {
        final ConntrackTable table = ConntrackTable.create(
            new ConntrackConfig(Path.of(args[0]), 1024, ConntrackTimeouts.linuxDefaults()), null);
        final int packets = Integer.parseInt(args[1]);
        final int nowS = table.nowS(System.currentTimeMillis());
        final ConntrackCursor cursor = table.cursor(0);
        final int ref = cursor.insert(cursor.spec().tuple(0, CLIENT, 0, VIP, 40000, 80, TCP, 0)
            .dnat(0, BACKEND, 8080).state(ConntrackState.TCP_SYN_SENT).decisions(77, 1, 3), nowS);
        final int seq = cursor.insertedSeq();
        check(ref >= 0, "insert " + ref);
        check(cursor.track(ref, seq, TcpFlags.SYN, 60, nowS) == ConntrackCursor.TRACK_ACCEPT, "syn");
        check(cursor.track(ref | 1, seq, TcpFlags.SYN | TcpFlags.ACK, 60, nowS) == ConntrackCursor.TRACK_ACCEPT, "syn-ack");
        check(cursor.track(ref, seq, TcpFlags.ACK, 52, nowS) == ConntrackCursor.TRACK_ACCEPT, "ack");
        for (int i = 0; i < packets; i++) {
            cursor.track(ref, seq, TcpFlags.ACK, 1000, nowS);
            cursor.track(ref | 1, seq, TcpFlags.ACK, 100, nowS);
        }
        System.out.println("ready");
        System.out.flush();
        if (args.length > 2 && args[2].equals("hold")) {
            // Stay the live owner until the test closes our stdin (at most 60 s).
            final Thread reader = new Thread(() -> {
                try {
                    System.in.read();
                } catch (java.io.IOException e) {
                    // stdin gone: same as closed
                }
            });
            reader.setDaemon(true);
            reader.start();
            reader.join(60_000);
        }
        Runtime.getRuntime().halt(0);
    }

    private static void check(boolean ok, String what) {
        if (!ok) {
            System.err.println("RestartOwnerMain: " + what + " failed");
            Runtime.getRuntime().halt(3);
        }
    }
}
