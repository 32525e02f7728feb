package io.isthmus.conntrack;

import static io.isthmus.conntrack.ConntrackDescriptor.ports;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.isthmus.conntrack.reader.ConntrackReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The table file on a huge-page tmpfs of its own: mounted on demand, the configured path a link
 * that readers and a restarted owner follow, 2 MiB pages seen in /proc; and the fallback to
 * 4 KiB pages at the path itself when the mount cannot be made.
 */
class HugePageMountTest {

    private static final long CLIENT = Addresses.ipv4Lo(0x0A00_0001);
    private static final long VIP = Addresses.ipv4Lo(0x0A60_0001);

    @Test
    void aTableOnItsOwnHugePageTmpfsIsReachedThroughTheConfiguredPath() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "mounting a tmpfs needs root (CAP_SYS_ADMIN)");
        final long pid = ProcessHandle.current().pid();
        final Path mount = Path.of("/dev/shm/isthmus-huge-test-" + pid);
        final Path path = Path.of("/dev/shm/isthmus-ct-huge-test-" + pid);
        final ConntrackConfig config = new ConntrackConfig(path, 40_000, ConntrackTimeouts.linuxDefaults()).withHugePageMount(mount);
        try {
            try (ConntrackTable table = ConntrackTable.create(config, null)) {
                final String options = HugePageMount.mountOptions(mount);
                assertNotNull(options, "a tmpfs is mounted on " + mount);
                assertTrue(options.startsWith("tmpfs ") && options.contains("huge=within_size"), options);
                assertTrue(Files.isSymbolicLink(path), path + " is a link to the file on the mount");
                assertEquals(mount.resolve(path.getFileName()), Files.readSymbolicLink(path));
                final String shmem = Files.readString(Path.of("/sys/kernel/mm/transparent_hugepage/shmem_enabled"));
                if (!shmem.contains("[deny]")) {
                    assertTrue(table.hugePageBytes() >= 2L << 20, "2 MiB pages mapped: " + table.hugePageBytes()
                        + " bytes (shmem_enabled " + shmem.trim() + ")");
                }
                final ConntrackCursor cursor = table.cursor(0);
                assertTrue(cursor.insert(cursor.spec().tuple(0, CLIENT, 0, VIP, 40000, 80, 6, 0)
                    .state(ConntrackState.TCP_SYN_SENT), 1) >= 0);
                try (ConntrackReader reader = ConntrackReader.open(path)) {
                    assertEquals(1, reader.count(), "a reader opening the configured path sees the live table");
                }
            }
            try (ConntrackTable reopened = ConntrackTable.createOrOpen(config, null)) {
                assertTrue(reopened.cursor(0).lookup(0, CLIENT, 0, VIP, ports(40000, 80), 6, 0) >= 0,
                    "a restarted owner follows the link and keeps the connection");
            }
        } finally {
            Files.deleteIfExists(path);
            Files.deleteIfExists(mount.resolve(path.getFileName()));
            if (HugePageMount.mountOptions(mount) != null) {
                final Process umount = new ProcessBuilder("umount", mount.toString()).inheritIO().start();
                umount.waitFor(10, TimeUnit.SECONDS);
            }
            Files.deleteIfExists(mount);
        }
        assertNull(HugePageMount.mountOptions(mount), "the test mount is gone");
    }

    @Test
    void withoutAMountTheTableIsCreatedAtThePathItself() throws Exception {
        final Path path = Path.of("/dev/shm/isthmus-ct-nohuge-test-" + ProcessHandle.current().pid());
        // A directory that cannot be created (under /proc): the mount fails, the table stays usable.
        final ConntrackConfig config = new ConntrackConfig(path, 1024, ConntrackTimeouts.linuxDefaults())
            .withHugePageMount(Path.of("/proc/isthmus-no-such-mount"));
        try (ConntrackTable table = ConntrackTable.create(config, null)) {
            assertTrue(Files.isRegularFile(path) && !Files.isSymbolicLink(path), "a plain file at " + path);
            final ConntrackCursor cursor = table.cursor(0);
            assertTrue(cursor.insert(cursor.spec().tuple(0, CLIENT, 0, VIP, 40001, 80, 6, 0)
                .state(ConntrackState.TCP_SYN_SENT), 1) >= 0);
            assertTrue(cursor.lookup(0, CLIENT, 0, VIP, ports(40001, 80), 6, 0) >= 0);
        } finally {
            Files.deleteIfExists(path);
        }
    }

    @Test
    void onlyTheDefaultPathKeepsTheDefaultMount() {
        final ConntrackConfig defaults = ConntrackConfig.defaults();
        assertEquals(ConntrackConfig.DEFAULT_HUGE_PAGE_MOUNT, defaults.hugePageMount());
        assertEquals(ConntrackConfig.DEFAULT_HUGE_PAGE_MOUNT, defaults.withPath(ConntrackConfig.DEFAULT_PATH).hugePageMount());
        assertNull(defaults.withPath(Path.of("/dev/shm/elsewhere")).hugePageMount(), "tests' tables stay where they are put");
        assertFalse(defaults.withCapacity(10).hugePageMount() == null);
    }
}
