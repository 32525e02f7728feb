package io.isthmus.cli;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The up/down/status/exec verbs' usage errors and their answers when nothing is up. */
class UpCommandsTest {
    @TempDir
    Path dir;

    @BeforeEach
    void pointAtEmptyState() {
        System.setProperty("isthmus.up.state", dir.resolve("state").toString());
    }

    @AfterEach
    void reset() {
        System.clearProperty("isthmus.up.state");
    }

    @Test
    void usageErrorsExitTwo() throws Exception {
        assertEquals(2, new UpCommand().run(new String[]{"--bogus"}));
        assertEquals(2, new UpCommand().run(new String[]{"-f"}));
        assertEquals(2, new UpCommand().run(new String[]{"-f", dir.resolve("missing").toString()}));
        assertEquals(2, new UpCommand().run(new String[]{"--idle", "sleep"}));
        assertEquals(2, new UpCommand().run(new String[]{"--worker-nice", "-30"}));
        assertEquals(2, new UpCommand().run(new String[]{"--worker-cpu"}));
        assertEquals(2, new UpCommand().run(new String[]{"--uplink"}));
        assertEquals(2, new UpCommand().run(new String[]{"--uplink", " "}));
        assertEquals(2, new ExecCommand().run(new String[]{}));
        assertEquals(2, new ExecCommand().run(new String[]{"default/client", "--"}));
        assertEquals(2, new ExecCommand().run(new String[]{"default/client", "x", "--", "true"}));
        assertEquals(2, new DownCommand().run(new String[]{"extra"}));
        assertEquals(2, new StatusCommand().run(new String[]{"extra"}));
    }

    @Test
    void conntrackReadsTheRunningSessionsTableUnlessTableIsGiven() throws Exception {
        final io.isthmus.slowpath.up.UpState state = io.isthmus.slowpath.up.UpState.fromEnvironment();
        state.createDirectories();
        io.isthmus.slowpath.up.UpState.writeAtomically(state.pidFile(), ProcessHandle.current().pid() + "\n"); // as a running session
        final java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        final java.io.PrintStream errStream = new java.io.PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8);
        final java.io.PrintStream out = new java.io.PrintStream(new java.io.ByteArrayOutputStream());

        assertEquals(1, new ConntrackCommand(out, errStream).run(new String[]{"count"}));
        assertTrue(err.toString(java.nio.charset.StandardCharsets.UTF_8).contains("no conntrack table at " + state.conntrackTable()),
                "looked for the session's own table: " + err);
        err.reset();
        assertEquals(1, new ConntrackCommand(out, errStream).run(new String[]{"--table", dir.resolve("given").toString(), "count"}));
        assertTrue(err.toString(java.nio.charset.StandardCharsets.UTF_8).contains("no conntrack table at " + dir.resolve("given")), "--table wins: " + err);
    }

    @Test
    void withNothingUpStatusAndExecFailAndDownIsANoOp() throws Exception {
        assertEquals(1, new StatusCommand().run(new String[]{}));
        assertEquals(1, new ExecCommand().run(new String[]{"default/client", "--", "true"}));
        if (io.isthmus.fastpath.linux.Libc.geteuid() == 0) {
            assertEquals(0, new DownCommand().run(new String[]{}));
            assertEquals(0, new DownCommand().run(new String[]{}));
        }
        assertFalse(Files.exists(dir.resolve("state")));
    }
}
