package io.isthmus.conntrack;

import java.nio.file.Path;

/**
 * How to create or open a table.
 *
 * @param path            the shared file, normally under /dev/shm; what readers open
 * @param capacityEntries connections the table holds (fixed at creation)
 * @param timeouts        timeout per state
 * @param hugePageMount   a directory to mount a {@code huge=within_size} tmpfs on (if it is not
 *                        one already) and to create the file in, {@code path} becoming a
 *                        symbolic link to it ({@link HugePageMount}); null: the file is created
 *                        at {@code path} itself (on /dev/shm: 4 KiB pages)
 */
public record ConntrackConfig(Path path, int capacityEntries, ConntrackTimeouts timeouts, Path hugePageMount) {

    public static final Path DEFAULT_PATH = Path.of("/dev/shm/isthmus-conntrack");
    public static final int DEFAULT_CAPACITY = 1 << 20;
    /**
     * The huge-page tmpfs of the default table; the system property
     * {@code isthmus.conntrack.hugePageMount} overrides it ({@code none}: no mount, 4 KiB pages).
     */
    public static final Path DEFAULT_HUGE_PAGE_MOUNT = Path.of("/dev/shm/isthmus-huge");

    public ConntrackConfig {
        if (capacityEntries < 1 || capacityEntries > ConntrackDescriptor.MAX_CAPACITY) {
            throw new IllegalArgumentException("conntrack capacity must be 1.." + ConntrackDescriptor.MAX_CAPACITY
                + " entries, got " + capacityEntries);
        }
    }

    /** A table at {@code path} itself, without a huge-page mount. */
    public ConntrackConfig(Path path, int capacityEntries, ConntrackTimeouts timeouts) {
        this(path, capacityEntries, timeouts, null);
    }

    /** The default path, capacity and timeouts, on the default huge-page mount. */
    public static ConntrackConfig defaults() {
        final String mount = System.getProperty("isthmus.conntrack.hugePageMount", DEFAULT_HUGE_PAGE_MOUNT.toString());
        return new ConntrackConfig(DEFAULT_PATH, DEFAULT_CAPACITY, ConntrackTimeouts.linuxDefaults(),
            mount.isEmpty() || mount.equals("none") ? null : Path.of(mount));
    }

    /**
     * The same at another path. Only the default path keeps the huge-page mount: a table
     * elsewhere (tests, a second fast path) is created exactly where it is asked for, unless
     * {@link #withHugePageMount} is called after this.
     */
    public ConntrackConfig withPath(Path newPath) {
        return new ConntrackConfig(newPath, capacityEntries, timeouts, newPath.equals(DEFAULT_PATH) ? hugePageMount : null);
    }

    public ConntrackConfig withCapacity(int newCapacity) {
        return new ConntrackConfig(path, newCapacity, timeouts, hugePageMount);
    }

    /** The same on a huge-page tmpfs at {@code mount} (null: none). */
    public ConntrackConfig withHugePageMount(Path mount) {
        return new ConntrackConfig(path, capacityEntries, timeouts, mount);
    }
}
