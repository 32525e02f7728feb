package io.isthmus.conntrack;

import io.isthmus.conntrack.nat.SnatPortPool;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

/** A table in a uniquely named /dev/shm file (or the temp dir), deleted on close. */
final class TestTable implements AutoCloseable {

    final Path path;
    final ConntrackTable table;

    TestTable(int capacity, SnatPortPool pool) throws IOException {
        this(capacity, pool, ConntrackTimeouts.linuxDefaults());
    }

    TestTable(int capacity, SnatPortPool pool, ConntrackTimeouts timeouts) throws IOException {
        final Path dir = Files.isDirectory(Path.of("/dev/shm")) ? Path.of("/dev/shm") : Path.of(System.getProperty("java.io.tmpdir"));
        path = dir.resolve("isthmus-ct-test-" + UUID.randomUUID());
        table = ConntrackTable.create(new ConntrackConfig(path, capacity, timeouts), pool);
    }

    static long v4(String address) {
        return Addresses.ipv4Lo(Addresses.parseIpv4(address));
    }

    @Override
    public void close() throws IOException {
        table.close();
        Files.deleteIfExists(path);
    }
}
