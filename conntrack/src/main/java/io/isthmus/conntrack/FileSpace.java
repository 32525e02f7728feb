package io.isthmus.conntrack;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reserves the blocks of a new table file before it is mapped ({@code posix_fallocate(3)}
 * through FFM). A tmpfs file is sparse: without this, a table larger than the free space of
 * its tmpfs maps fine and the process dies of SIGBUS later, on the first store to a page the
 * filesystem cannot give. With it, {@link ConntrackTable#create} fails at start with a message
 * naming the file, the size and the free space.
 *
 * <p>Thread-safety: stateless; called by the owner process while it creates its table.
 */
final class FileSpace {

    private static final int O_RDWR = 2;
    private static final int O_CLOEXEC = 0x80000;
    private static final int ENOSPC = 28;
    private static final int EFBIG = 27;

    private static final MethodHandle OPEN;
    private static final MethodHandle POSIX_FALLOCATE;
    private static final MethodHandle CLOSE;

    static {
        MethodHandle open = null;
        MethodHandle fallocate = null;
        MethodHandle close = null;
        try {
            final Linker linker = Linker.nativeLinker();
            final SymbolLookup libc = linker.defaultLookup();
            open = libc.find("open").map(s -> linker.downcallHandle(s, FunctionDescriptor.of(ValueLayout.JAVA_INT,
                ValueLayout.ADDRESS, ValueLayout.JAVA_INT), Linker.Option.captureCallState("errno"))).orElse(null);
            fallocate = libc.find("posix_fallocate").map(s -> linker.downcallHandle(s, FunctionDescriptor.of(
                ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG))).orElse(null);
            close = libc.find("close").map(s -> linker.downcallHandle(s, FunctionDescriptor.of(ValueLayout.JAVA_INT,
                ValueLayout.JAVA_INT))).orElse(null);
        } catch (RuntimeException | Error e) {
            // No native access: reserve() says so.
        }
        OPEN = open;
        POSIX_FALLOCATE = fallocate;
        CLOSE = close;
    }

    private FileSpace() {
    }

    /**
     * Gives {@code file} (which exists) {@code bytes} of real, allocated storage. Throws an
     * IOException naming the file, the size, the errno and the free space of its filesystem
     * when that is not possible (ENOSPC on a full tmpfs), or when libc is not reachable.
     */
    static void reserve(Path file, long bytes) throws IOException {
        if (OPEN == null || POSIX_FALLOCATE == null || CLOSE == null) {
            throw new IOException("cannot reserve " + mib(bytes) + " for " + file
                + ": posix_fallocate(3) is not reachable (run with --enable-native-access=ALL-UNNAMED)");
        }
        final int error;
        try (Arena arena = Arena.ofConfined()) {
            final MemorySegment state = arena.allocate(Linker.Option.captureStateLayout());
            final int fd = (int) OPEN.invokeExact(state, arena.allocateFrom(file.toString()), O_RDWR | O_CLOEXEC);
            if (fd < 0) {
                throw new IOException("cannot open " + file + " to reserve " + mib(bytes) + ": errno " + errno(state));
            }
            try {
                error = (int) POSIX_FALLOCATE.invokeExact(fd, 0L, bytes);
            } finally {
                final int ignored = (int) CLOSE.invokeExact(fd);
            }
        } catch (IOException e) {
            throw e;
        } catch (Throwable e) {
            throw new IOException("cannot reserve " + mib(bytes) + " for " + file + ": " + e, e);
        }
        if (error != 0) {
            throw new IOException("cannot reserve " + mib(bytes) + " for " + file + ": "
                + (error == ENOSPC ? "no space left on device (ENOSPC)" : error == EFBIG ? "file too large (EFBIG)" : "errno " + error)
                + "; " + freeSpace(file) + ": lower the conntrack capacity or give the filesystem more room");
        }
    }

    private static int errno(MemorySegment state) {
        final VarHandle handle = Linker.Option.captureStateLayout().varHandle(MemoryLayout.PathElement.groupElement("errno"));
        return (int) handle.get(state, 0L);
    }

    private static String freeSpace(Path file) {
        try {
            final var store = Files.getFileStore(file);
            return "the filesystem (" + store.type() + " " + store.name() + ") has " + mib(store.getUsableSpace())
                + " free of " + mib(store.getTotalSpace());
        } catch (IOException | RuntimeException e) {
            return "free space unknown (" + e.getMessage() + ")";
        }
    }

    private static String mib(long bytes) {
        return String.format("%.1f MiB", bytes / (double) (1 << 20));
    }
}
