package io.isthmus.conntrack;

import static io.isthmus.conntrack.ConntrackDescriptor.*;
import static io.isthmus.conntrack.RestartOwnerMain.BACKEND;
import static io.isthmus.conntrack.RestartOwnerMain.CLIENT;
import static io.isthmus.conntrack.RestartOwnerMain.TCP;
import static io.isthmus.conntrack.RestartOwnerMain.VIP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.isthmus.conntrack.proto.TcpFlags;
import io.isthmus.conntrack.reader.ConntrackReader;
import io.isthmus.conntrack.reader.ConntrackRecord;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A fast-path restart at table level: an owner in another JVM opens a TCP connection and dies
 * without closing the table; a new owner opens the same file, finds the connection by both
 * tuples with its state, NAT, decisions and counters, and keeps tracking it.
 */
class ConntrackRestartTest {

    private static final int PACKETS_EACH_WAY = 5;

    @Test
    void aNewOwnerFindsAndKeepsUpdatingTheConnectionsOfOneThatDied() throws Exception {
        final Path file = Path.of("/dev/shm/isthmus-ct-restart-" + ProcessHandle.current().pid());
        try {
            runFirstOwner(file);
            try (ConntrackReader reader = ConntrackReader.open(file)) {
                final String problem = reader.ownerProblem(System.currentTimeMillis());
                assertNotNull(problem, "the first owner is dead");
                assertTrue(problem.contains("no owner is running"), problem);
            }
            try (ConntrackTable table = ConntrackTable.openAsOwner(
                new ConntrackConfig(file, 1024, ConntrackTimeouts.linuxDefaults()), null)) {
                final ConntrackCursor cursor = table.cursor(0);
                final int ref = cursor.lookup(0, CLIENT, 0, VIP, ports(40000, 80), TCP, 0);
                assertTrue(ref >= 0, "the original tuple is found after the restart");
                final ConntrackLookupBatch hit = cursor.lastLookup();
                assertEquals(ConntrackState.TCP_ESTABLISHED.id(), statusState(hit.status(0)));
                assertTrue((statusFlags(hit.status(0)) & ConntrackFlags.ASSURED) != 0, "still assured");
                assertEquals(BACKEND, hit.natDstLo[0], "still DNAT'd to the backend");
                assertEquals(77, decisionServiceId(hit.decision[0]));
                assertEquals(3, decisionOutPort(hit.decision[0]));
                final int seq = hit.seq(0);
                final int replyRef = cursor.lookup(0, BACKEND, 0, CLIENT, ports(8080, 40000), TCP, 0);
                assertEquals(ref | 1, replyRef, "the reply tuple is found too");

                final long base = table.entryBase(ref >>> 1);
                final int origPackets = 2 + PACKETS_EACH_WAY;
                final int replyPackets = 1 + PACKETS_EACH_WAY;
                assertEquals(origPackets, table.segment.get(java.lang.foreign.ValueLayout.JAVA_INT, base + ORIG_PACKETS));
                assertEquals(replyPackets, table.segment.get(java.lang.foreign.ValueLayout.JAVA_INT, base + REPLY_PACKETS));
                assertEquals(60 + 52 + 1000L * PACKETS_EACH_WAY, table.segment.get(java.lang.foreign.ValueLayout.JAVA_LONG, base + coldOffset(ref >>> 1, COLD_ORIG_BYTES)));

                // The new owner keeps updating it.
                final int nowS = table.nowS(System.currentTimeMillis());
                assertEquals(ConntrackCursor.TRACK_ACCEPT, cursor.track(ref, seq, TcpFlags.ACK, 1500, nowS));
                assertEquals(ConntrackCursor.TRACK_ACCEPT, cursor.track(replyRef, seq, TcpFlags.ACK, 40, nowS));
                assertEquals(ConntrackCursor.TRACK_ACCEPT, cursor.track(ref, seq, TcpFlags.FIN | TcpFlags.ACK, 52, nowS));
                assertEquals(origPackets + 2, table.segment.get(java.lang.foreign.ValueLayout.JAVA_INT, base + ORIG_PACKETS));
                assertEquals(replyPackets + 1, table.segment.get(java.lang.foreign.ValueLayout.JAVA_INT, base + REPLY_PACKETS));
                assertEquals(ConntrackState.TCP_FIN_WAIT.id(),
                    statusState(controlStatus(table.segment.get(java.lang.foreign.ValueLayout.JAVA_LONG, base + CONTROL))));
                assertNull(table.checkIndex());

                // Tools see the new owner and the connection.
                assertEquals(0, new ConntrackSweeper(table, 1024).sweepAll(System.currentTimeMillis()), "nothing expired");
                try (ConntrackReader reader = ConntrackReader.open(file)) {
                    assertNull(reader.ownerProblem(System.currentTimeMillis()));
                    final List<ConntrackRecord> records = new ArrayList<>();
                    reader.forEach(System.currentTimeMillis(), records::add);
                    assertEquals(1, records.size());
                    assertEquals(origPackets + 2, records.getFirst().origPackets());
                }
            }
        } finally {
            Files.deleteIfExists(file);
        }
    }

    @Test
    void reopeningInTheSameProcessKeepsTheConnectionsToo() throws Exception {
        final Path file = Path.of("/dev/shm/isthmus-ct-reopen-" + ProcessHandle.current().pid());
        final ConntrackConfig config = new ConntrackConfig(file, 64, ConntrackTimeouts.linuxDefaults());
        try {
            final int seq;
            try (ConntrackTable first = ConntrackTable.create(config, null)) {
                final ConntrackCursor cursor = first.cursor(0);
                for (int i = 0; i < 40; i++) {
                    assertTrue(cursor.insert(cursor.spec().tuple(0, CLIENT + i, 0, VIP, 1000 + i, 53, 17, 0)
                        .state(ConntrackState.UDP_UNREPLIED), 5) >= 0);
                }
                seq = cursor.insertedSeq();
            }
            try (ConntrackTable second = ConntrackTable.openAsOwner(config, null)) {
                assertNull(second.checkIndex());
                final ConntrackCursor cursor = second.cursor(1);
                for (int i = 0; i < 40; i++) {
                    assertTrue(cursor.lookup(0, CLIENT + i, 0, VIP, ports(1000 + i, 53), 17, 0) >= 0, "connection " + i);
                }
                final int ref = cursor.lookup(0, CLIENT + 39, 0, VIP, ports(1039, 53), 17, 0);
                assertEquals(seq, cursor.lastLookup().seq(0), "the seqlock survives, so refs taken before stay valid");
                assertEquals(ConntrackCursor.TRACK_ACCEPT, cursor.track(ref | 1, seq, 0, 100, 6));
                assertEquals(ConntrackState.UDP_REPLIED.id(), statusState(controlStatus(
                    second.segment.get(java.lang.foreign.ValueLayout.JAVA_LONG, second.entryBase(ref >>> 1) + CONTROL))));
            }
        } finally {
            Files.deleteIfExists(file);
        }
    }

    @Test
    void aSecondOwnerIsRefusedWhileTheFirstRuns() throws Exception {
        final Path file = Path.of("/dev/shm/isthmus-ct-twoowners-" + ProcessHandle.current().pid());
        final String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        final Process child = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED",
            "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED", "-cp",
            System.getProperty("java.class.path"), RestartOwnerMain.class.getName(), file.toString(), "1", "hold")
            .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try {
            final BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
            assertEquals("ready", out.readLine());
            final java.io.IOException refused = org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class,
                () -> ConntrackTable.openAsOwner(new ConntrackConfig(file, 1024, ConntrackTimeouts.linuxDefaults()), null));
            assertTrue(refused.getMessage().contains("is owned by running pid " + child.pid()), refused.getMessage());
            child.getOutputStream().close();
            assertTrue(child.waitFor(30, TimeUnit.SECONDS), "the first owner exits");
            // Gone now: the table can be taken over.
            try (ConntrackTable table = ConntrackTable.openAsOwner(new ConntrackConfig(file, 1024, ConntrackTimeouts.linuxDefaults()), null)) {
                assertTrue(table.cursor(0).lookup(0, CLIENT, 0, VIP, ports(40000, 80), TCP, 0) >= 0);
            }
        } finally {
            child.destroyForcibly();
            Files.deleteIfExists(file);
        }
    }

    private static void runFirstOwner(Path file) throws Exception {
        final String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        final Process child = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED",
            "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED", "-cp",
            System.getProperty("java.class.path"), RestartOwnerMain.class.getName(), file.toString(),
            Integer.toString(PACKETS_EACH_WAY))
            .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try {
            final BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
            assertEquals("ready", out.readLine(), "the first owner set up its connection");
            assertTrue(child.waitFor(30, TimeUnit.SECONDS), "the first owner exits");
            assertEquals(0, child.exitValue());
        } finally {
            child.destroyForcibly();
        }
    }
}
