package io.isthmus.conntrack;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A tmpfs of the table's own, mounted with {@code huge=within_size}, so that a shared table
 * file is backed by 2 MiB pages. /dev/shm is mounted without {@code huge=} (its files get
 * 4 KiB pages whatever {@code madvise} says), and at a million connections a lookup's bucket
 * and entry are each on a page the TLB does not hold. A per-mount {@code huge=} is honoured
 * even when {@code /sys/kernel/mm/transparent_hugepage/shmem_enabled} is "never" (that knob is
 * for SysV and anonymous shared memory); only "deny" turns it off.
 *
 * <p>The table file goes in the mount ({@code /dev/shm/isthmus-huge/isthmus-conntrack}) and
 * the configured path ({@code /dev/shm/isthmus-conntrack}) becomes a symbolic link to it, so
 * every reader ({@code isthmus conntrack}, a restarted owner) opens the same path as before.
 * Mounting needs CAP_SYS_ADMIN; without it, or on an existing mount without {@code huge=}, the
 * table is created at the configured path itself on 4 KiB pages, and {@link #prepare} says why.
 *
 * <p>Thread-safety: stateless; called by the owner process while it creates its table.
 */
final class HugePageMount {

    /** The mount options: huge pages for any file whose size covers them (the table's whole length). */
    static final String OPTIONS = "huge=within_size,mode=0755";

    private static final MethodHandle MOUNT;

    static {
        MethodHandle mount = null;
        try {
            final Linker linker = Linker.nativeLinker();
            final SymbolLookup libc = linker.defaultLookup();
            mount = libc.find("mount").map(s -> linker.downcallHandle(s, FunctionDescriptor.of(ValueLayout.JAVA_INT,
                ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.ADDRESS),
                Linker.Option.captureCallState("errno"))).orElse(null);
        } catch (RuntimeException | Error e) {
            // No native access: prepare() reports it and the table goes to 4 KiB pages.
        }
        MOUNT = mount;
    }

    private HugePageMount() {
    }

    /**
     * Where to create the table file: {@code file} inside the huge-page mount (mounted now if it
     * is not yet), or null with the reason in {@code why[0]} when huge pages are unavailable.
     */
    static Path prepare(Path mountDirectory, Path tablePath, String[] why) {
        final String options = mountOptions(mountDirectory);
        if (options == null) {
            final String failure = mount(mountDirectory);
            if (failure != null) {
                why[0] = "cannot mount tmpfs " + OPTIONS + " on " + mountDirectory + ": " + failure;
                return null;
            }
        } else if (!options.contains("huge=within_size") && !options.contains("huge=always")
            && !options.contains("huge=advise")) {
            why[0] = mountDirectory + " is mounted without huge= (" + options + ")";
            return null;
        }
        return mountDirectory.resolve(tablePath.getFileName());
    }

    /** The filesystem type and super options of the mount at exactly {@code directory}, or null if none. */
    static String mountOptions(Path directory) {
        final String target = directory.toAbsolutePath().normalize().toString();
        final List<String> lines;
        try {
            lines = Files.readAllLines(Path.of("/proc/self/mountinfo"));
        } catch (IOException e) {
            return null;
        }
        String found = null;
        for (String line : lines) {
            // id parent major:minor root mountpoint options [optional...] - fstype source superoptions
            final String[] fields = line.split(" ");
            final int dash = line.indexOf(" - ");
            if (fields.length > 4 && dash > 0 && fields[4].replace("\\040", " ").equals(target)) {
                found = line.substring(dash + 3); // the last mount on a path is the visible one
            }
        }
        return found;
    }

    /** Mounts a huge-page tmpfs on {@code directory} (created if missing); null on success, else the reason. */
    private static String mount(Path directory) {
        if (MOUNT == null) {
            return "mount(2) is not reachable (no native access)";
        }
        try {
            Files.createDirectories(directory);
        } catch (IOException e) {
            return "cannot create the directory: " + e.getMessage();
        }
        try (Arena arena = Arena.ofConfined()) {
            final MemorySegment state = arena.allocate(Linker.Option.captureStateLayout());
            final int result = (int) MOUNT.invokeExact(state, arena.allocateFrom("isthmus-huge"),
                arena.allocateFrom(directory.toAbsolutePath().toString()), arena.allocateFrom("tmpfs"), 0L,
                arena.allocateFrom(OPTIONS));
            if (result == 0) {
                return null;
            }
            final VarHandle errnoHandle = Linker.Option.captureStateLayout()
                .varHandle(java.lang.foreign.MemoryLayout.PathElement.groupElement("errno"));
            final int errno = (int) errnoHandle.get(state, 0L);
            return "errno " + errno + (errno == 1 ? " (EPERM: needs CAP_SYS_ADMIN)" : "");
        } catch (Throwable e) {
            return e.toString();
        }
    }
}
