package io.isthmus.conntrack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A table file bigger than the free space of its tmpfs: {@code create} must fail at once with a
 * message that says so, not map a sparse file and die of SIGBUS on a later store.
 */
class FileSpaceTest {

    @Test
    void aTableLargerThanItsTmpfsFailsAtCreateWithAClearMessage() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "mounting a small tmpfs needs root (CAP_SYS_ADMIN)");
        final Path mount = Path.of(System.getProperty("java.io.tmpdir"), "isthmus-ct-space-test-" + UUID.randomUUID());
        Files.createDirectories(mount);
        try {
            final int mounted = run("mount", "-t", "tmpfs", "-o", "size=1m", "isthmus-ct-space-test", mount.toString());
            assumeTrue(mounted == 0, "mount -t tmpfs failed (exit " + mounted + "): no CAP_SYS_ADMIN here");
            final Path path = mount.resolve("isthmus-conntrack");
            // 100,000 connections = 12.8 MB, on a 1 MiB tmpfs.
            final ConntrackConfig config = new ConntrackConfig(path, 100_000, ConntrackTimeouts.linuxDefaults());
            final IOException e = assertThrows(IOException.class, () -> ConntrackTable.create(config, null).close());
            assertTrue(e.getMessage().contains(path.toString()) && e.getMessage().contains("no space left on device"),
                e.getMessage());
            assertFalse(Files.exists(path), "the half-made file is removed");

            // A table that fits is created on the same mount.
            try (ConntrackTable small = ConntrackTable.create(config.withCapacity(1024), null)) {
                assertEquals(1024, small.capacity());
                assertTrue(small.cursor(0).insert(small.cursor(0).spec().tuple(0, TestTable.v4("10.0.0.1"), 0,
                    TestTable.v4("10.0.0.2"), 1000, 80, 6, 0).state(ConntrackState.TCP_SYN_SENT), 1) >= 0);
            }
        } finally {
            if (run("umount", mount.toString()) != 0) {
                run("umount", "-l", mount.toString()); // still mapped (a table left open): detach it anyway
            }
            Files.deleteIfExists(mount.resolve("isthmus-conntrack"));
            Files.deleteIfExists(mount);
        }
    }

    private static int run(String... command) throws IOException, InterruptedException {
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            return -1;
        }
        return process.exitValue();
    }
}
