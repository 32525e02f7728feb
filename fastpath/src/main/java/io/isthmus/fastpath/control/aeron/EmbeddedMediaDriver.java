package io.isthmus.fastpath.control.aeron;

import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import org.agrona.IoUtil;
import org.agrona.concurrent.BackoffIdleStrategy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

/**
 * The Aeron media driver the fast path hosts: shared threading (one thread, backing off when
 * idle: the machine's cores belong to the workers), IPC only, its directory under /dev/shm
 * (unique unless given), deleted on start and on close.
 *
 * <p><b>Thread-safety:</b> launch and close from the owning thread.
 */
public final class EmbeddedMediaDriver implements AutoCloseable {
    /** IPC term length: the largest message is an eighth of it (2 MiB); the file is sparse. */
    public static final int IPC_TERM_LENGTH_BYTES = 16 * 1024 * 1024;

    private final MediaDriver driver;
    private final Path directory;

    private EmbeddedMediaDriver(MediaDriver driver, Path directory) {
        this.driver = driver;
        this.directory = directory;
    }

    /** A directory under /dev/shm no other driver uses: {@code isthmus-aeron-<pid>-<random>}. */
    public static Path uniqueDirectory() {
        return Path.of("/dev/shm", "isthmus-aeron-" + ProcessHandle.current().pid() + "-"
                + UUID.randomUUID().toString().substring(0, 8));
    }

    /** Launches a driver in {@code directory} (replacing a stale one left by a dead process). */
    public static EmbeddedMediaDriver launch(Path directory) {
        final MediaDriver.Context context = new MediaDriver.Context()
                .aeronDirectoryName(directory.toString())
                .threadingMode(ThreadingMode.SHARED)
                .sharedIdleStrategy(new BackoffIdleStrategy(10, 10, 1_000L, 1_000_000L))
                .ipcTermBufferLength(IPC_TERM_LENGTH_BYTES)
                .termBufferSparseFile(true)
                .dirDeleteOnStart(true)
                .dirDeleteOnShutdown(true);
        return new EmbeddedMediaDriver(MediaDriver.launch(context), directory);
    }

    /** Launches a driver in a fresh {@link #uniqueDirectory()}. */
    public static EmbeddedMediaDriver launchUnique() {
        return launch(uniqueDirectory());
    }

    public Path directory() {
        return directory;
    }

    /** Stops the driver and deletes its directory. */
    @Override
    public void close() {
        try {
            driver.close();
        } finally {
            if (Files.exists(directory)) {
                IoUtil.delete(directory.toFile(), true);
            }
        }
    }
}
