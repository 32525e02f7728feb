package io.isthmus.cli.conntrack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.isthmus.cli.ConntrackCommand;
import io.isthmus.conntrack.Addresses;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The CLI against a table that another thread, or another process, is writing. */
class ConntrackCommandTest {

    private final Path table = Path.of(Files.isDirectory(Path.of("/dev/shm")) ? "/dev/shm" : System.getProperty("java.io.tmpdir"))
        .resolve("isthmus-ct-cli-test-" + UUID.randomUUID());

    private record Result(int exitCode, String out, String err) {
        List<String> lines() {
            return out.isEmpty() ? List.of() : List.of(out.split("\n"));
        }
    }

    private static Result run(String... args) throws Exception {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final int code = new ConntrackCommand(new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8)).run(args);
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @AfterEach
    void removeTable() throws Exception {
        Files.deleteIfExists(table);
    }

    @Test
    void dumpCountStatsAndFlushAgainstALiveTable() throws Exception {
        try (LiveTableWriter writer = new LiveTableWriter(table, 40)) {
            final Result dump = run("--table", table.toString(), "dump");
            assertEquals(0, dump.exitCode(), dump.err());
            assertEquals(40, dump.lines().size(), dump.out());
            assertTrue(dump.err().contains("40 flow entries have been shown"), dump.err());
            final String line = dump.lines().stream().filter(l -> l.contains("sport=10000 ")).findFirst().orElseThrow();
            assertTrue(line.matches("tcp +6 \\d+ ESTABLISHED src=10\\.1\\.0\\.0 dst=10\\.96\\.0\\.1 sport=10000 dport=80 packets=\\d+ bytes=\\d+"
                + " src=10\\.244\\.0\\.9 dst=10\\.1\\.0\\.0 sport=8080 dport=10000 packets=1 bytes=100 \\[ASSURED\\] zone=0 service=17"), line);
            final String unreplied = dump.lines().stream().filter(l -> l.contains("sport=10001 ")).findFirst().orElseThrow();
            // The writer's ACKs are invalid in SYN_SENT: nothing counted, default 120 s timeout.
            assertTrue(unreplied.matches("tcp +6 1(19|20) SYN_SENT .* packets=0 bytes=0 \\[UNREPLIED\\] src=10\\.244\\.0\\.9 .*"), unreplied);

            final Result established = run("dump", "--table", table.toString(), "--state", "established", "--proto", "tcp");
            assertEquals(20, established.lines().size(), established.out());
            final Result one = run("--table", table.toString(), "dump", "--src", "10.1.0.3", "--dport", "80", "--sport", "10003", "--dst", "10.96.0.1");
            assertEquals(1, one.lines().size(), one.out());
            assertEquals(0, run("--table", table.toString(), "dump", "--proto", "udp").lines().size());

            final Result json = run("--table", table.toString(), "dump", "--json", "--sport", "10002");
            assertEquals(1, json.lines().size(), json.out());
            final String object = json.lines().get(0);
            for (String field : List.of("\"proto\":\"tcp\"", "\"state\":\"ESTABLISHED\"", "\"src\":\"10.1.0.2\"", "\"dst\":\"10.96.0.1\"",
                "\"sport\":10002", "\"dport\":80", "\"reply_src\":\"10.244.0.9\"", "\"reply_dst\":\"10.1.0.2\"", "\"reply_sport\":8080",
                "\"reply_dport\":10002", "\"timeout_s\":43")) {
                assertTrue(object.contains(field), field + " in " + object);
            }
            assertTrue(object.matches(".*\"packets\":\\d+,\"bytes\":\\d+.*"), object);

            final Result count = run("--table", table.toString(), "count");
            assertEquals("40", count.out().trim());
            final Result stats = run("--table", table.toString(), "stats");
            assertTrue(stats.out().matches("entries=40 capacity=4096 inserts=40 deletes=0 early_drops=0 refused=0 searched=\\d+ "
                + "insert_failed=0 search_restarts=\\d+ owner=pid \\d+\\n"), stats.out());

            final Result flush = run("--table", table.toString(), "flush", "--timeout-s", "10");
            assertEquals(0, flush.exitCode(), flush.err());
            assertTrue(flush.out().startsWith("flushed 40 connections (request 1, acknowledged by pid "), flush.out());
            assertEquals("0", run("--table", table.toString(), "count").out().trim());
        }
    }

    @Test
    void flushCanBeLimitedToTheConnectionsOfOneBackend() throws Exception {
        try (LiveTableWriter writer = new LiveTableWriter(table, 10)) {
            final long dnsVip = Addresses.ipv4Lo(Addresses.parseIpv4("10.96.0.10"));
            writer.addUdp(1000, 6, dnsVip, Addresses.ipv4Lo(Addresses.parseIpv4("10.244.0.7")), 53);
            writer.addUdp(2000, 4, dnsVip, Addresses.ipv4Lo(Addresses.parseIpv4("10.244.0.8")), 53);
            assertEquals("20", run("--table", table.toString(), "count").out().trim());

            final Result gone = run("--table", table.toString(), "flush", "--proto", "udp", "--backend", "10.244.0.7", "--port", "53");
            assertEquals(0, gone.exitCode(), gone.err());
            assertTrue(gone.out().startsWith("flushed 6 connections"), gone.out());
            assertEquals("14", run("--table", table.toString(), "count").out().trim());
            assertEquals(4, run("--table", table.toString(), "dump", "--proto", "udp").lines().size());

            final Result none = run("--table", table.toString(), "flush", "--proto", "tcp", "--port", "53");
            assertTrue(none.out().startsWith("flushed 0 connections"), none.out());
            final Result bad = run("--table", table.toString(), "flush", "--port", "70000");
            assertEquals(2, bad.exitCode());
            assertTrue(bad.err().contains("--port: '70000' is not a number from 0 to 65535"), bad.err());
        }
    }

    @Test
    void flushWithoutAnOwnerSaysSoAndFails() throws Exception {
        new LiveTableWriter(table, 3).close();
        final Result flush = run("--table", table.toString(), "flush", "--timeout-s", "1");
        assertEquals(1, flush.exitCode());
        assertTrue(flush.err().contains("no owner is running") && flush.err().contains("nothing was flushed"), flush.err());
        // Reading still works without an owner.
        assertEquals("3", run("--table", table.toString(), "count").out().trim());
    }

    @Test
    void missingTableAndBadInputAreClear() throws Exception {
        final Result missing = run("--table", table.toString(), "dump");
        assertEquals(1, missing.exitCode());
        assertTrue(missing.err().contains("no conntrack table at " + table), missing.err());
        Files.writeString(table, "not a table");
        final Result garbage = run("--table", table.toString(), "count");
        assertEquals(1, garbage.exitCode());
        assertTrue(garbage.err().contains(table.toString()) && garbage.err().contains("too short"), garbage.err());
        Files.delete(table);
        try (LiveTableWriter writer = new LiveTableWriter(table, 1)) {
            assertEquals(2, run("--table", table.toString(), "dump", "--proto", "sctpx").exitCode());
            assertEquals(2, run("--table", table.toString(), "dump", "--src", "10.1.2").exitCode());
            assertEquals(2, run("--table", table.toString(), "frobnicate").exitCode());
            assertEquals(2, run("--table", table.toString()).exitCode());
        }
    }

    @Test
    void readsATableWrittenByAnotherProcess() throws Exception {
        final String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        final Process child = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED",
            "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
            LiveTableWriter.class.getName(), table.toString(), "25")
            .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try {
            final BufferedReader childOut = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
            assertEquals("ready", childOut.readLine());
            final Result dump = run("--table", table.toString(), "dump", "--json");
            assertEquals(0, dump.exitCode(), dump.err());
            assertEquals(25, dump.lines().size(), dump.out());
            final Result stats = run("--table", table.toString(), "stats");
            assertTrue(stats.out().contains("owner=pid " + child.pid()), stats.out());
            final Result flush = run("--table", table.toString(), "flush");
            assertEquals(0, flush.exitCode(), flush.err());
            assertEquals("0", run("--table", table.toString(), "count").out().trim());
        } finally {
            child.getOutputStream().close();
            if (!child.waitFor(10, TimeUnit.SECONDS)) {
                child.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        }
        // The owner closed the table on exit: a flush now finds no owner.
        assertTrue(!Files.exists(table) || run("--table", table.toString(), "flush", "--timeout-s", "1").exitCode() == 1);
    }
}
