package io.isthmus.conntrack;

import java.nio.file.Path;

/**
 * How to create or open a table.
 *
 * @param path            the shared file, normally under /dev/shm
 * @param capacityEntries connections the table holds (fixed at creation)
 * @param timeouts        timeout per state
 */
public record ConntrackConfig(Path path, int capacityEntries, ConntrackTimeouts timeouts) {

    public static final Path DEFAULT_PATH = Path.of("/dev/shm/isthmus-conntrack");
    public static final int DEFAULT_CAPACITY = 1 << 20;

    public ConntrackConfig {
        if (capacityEntries < 1 || capacityEntries > ConntrackDescriptor.MAX_CAPACITY) {
            throw new IllegalArgumentException("conntrack capacity must be 1.." + ConntrackDescriptor.MAX_CAPACITY
                + " entries, got " + capacityEntries);
        }
    }

    public static ConntrackConfig defaults() {
        return new ConntrackConfig(DEFAULT_PATH, DEFAULT_CAPACITY, ConntrackTimeouts.linuxDefaults());
    }

    public ConntrackConfig withPath(Path newPath) {
        return new ConntrackConfig(newPath, capacityEntries, timeouts);
    }

    public ConntrackConfig withCapacity(int newCapacity) {
        return new ConntrackConfig(path, newCapacity, timeouts);
    }
}
