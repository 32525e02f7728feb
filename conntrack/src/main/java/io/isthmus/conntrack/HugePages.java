package io.isthmus.conntrack;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * Asks Linux for transparent huge pages (2 MiB) under the table: at a million connections a
 * lookup's bucket and entry are each on a different 4 KiB page, almost never in the TLB, so every
 * lookup pays page walks on top of its cache misses. Advice only: where the kernel says no
 * ({@code /sys/kernel/mm/transparent_hugepage/enabled} = never, or a tmpfs without
 * {@code huge=}), the table works the same on 4 KiB pages.
 *
 * <ul>
 * <li>In-memory tables: anonymous memory from {@code mmap}, {@code madvise(MADV_HUGEPAGE)}
 *     before the first touch (THP mode "madvise" suffices).</li>
 * <li>File tables: {@code madvise(MADV_HUGEPAGE)} on the mapping. /dev/shm follows
 *     {@code shmem_enabled} (often never); a tmpfs of its own mounted with
 *     {@code huge=within_size} or {@code huge=advise} gives huge pages
 *     ({@code mount -t tmpfs -o huge=within_size,size=2G isthmus /run/isthmus}).</li>
 * </ul>
 *
 * <p>Thread-safety: stateless; the handles are immutable.
 */
final class HugePages {

    static final long HUGE_PAGE_BYTES = 2L << 20;
    private static final int MADV_HUGEPAGE = 14;
    private static final int PROT_READ_WRITE = 0x1 | 0x2;
    private static final int MAP_PRIVATE_ANONYMOUS = 0x02 | 0x20;
    private static final long MAP_FAILED = -1L;

    private static final MethodHandle MMAP;
    private static final MethodHandle MUNMAP;
    private static final MethodHandle MADVISE;

    static {
        MethodHandle mmap = null;
        MethodHandle munmap = null;
        MethodHandle madvise = null;
        try {
            final Linker linker = Linker.nativeLinker();
            final SymbolLookup libc = linker.defaultLookup();
            mmap = libc.find("mmap").map(s -> linker.downcallHandle(s, FunctionDescriptor.of(ValueLayout.JAVA_LONG,
                ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT,
                ValueLayout.JAVA_LONG))).orElse(null);
            munmap = libc.find("munmap").map(s -> linker.downcallHandle(s, FunctionDescriptor.of(ValueLayout.JAVA_INT,
                ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG))).orElse(null);
            madvise = libc.find("madvise").map(s -> linker.downcallHandle(s, FunctionDescriptor.of(ValueLayout.JAVA_INT,
                ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT))).orElse(null);
        } catch (RuntimeException | Error e) {
            // No native access (a tool without --enable-native-access): tables work without the advice.
        }
        MMAP = mmap;
        MUNMAP = munmap;
        MADVISE = madvise;
    }

    private HugePages() {
    }

    /** Advises huge pages for a mapping; false if the call is unavailable or refused. */
    static boolean advise(MemorySegment mapping) {
        if (MADVISE == null || mapping.byteSize() < HUGE_PAGE_BYTES) {
            return false;
        }
        try {
            return (int) MADVISE.invokeExact(mapping.address(), mapping.byteSize(), MADV_HUGEPAGE) == 0;
        } catch (Throwable e) {
            return false;
        }
    }

    /**
     * Zeroed anonymous memory of {@code bytes}, 2 MiB aligned and advised for huge pages,
     * unmapped when it becomes unreachable; null if mmap is unavailable or the size is below one
     * huge page (the caller falls back to an ordinary allocation).
     */
    static MemorySegment allocate(long bytes) {
        if (MMAP == null || MUNMAP == null || bytes < HUGE_PAGE_BYTES) {
            return null;
        }
        try {
            final long length = bytes + HUGE_PAGE_BYTES;
            final long raw = (long) MMAP.invokeExact(0L, length, PROT_READ_WRITE, MAP_PRIVATE_ANONYMOUS, -1, 0L);
            if (raw == MAP_FAILED || raw == 0) {
                return null;
            }
            final long aligned = (raw + HUGE_PAGE_BYTES - 1) & -HUGE_PAGE_BYTES;
            final MemorySegment segment = MemorySegment.ofAddress(aligned).reinterpret(bytes, Arena.ofAuto(), s -> unmap(raw, length));
            advise(segment);
            return segment;
        } catch (Throwable e) {
            return null;
        }
    }

    /**
     * Bytes of the mapping that holds {@code segment} mapped with huge pages in this process
     * (AnonHugePages + ShmemPmdMapped + FilePmdMapped of its line in /proc/self/smaps), -1 if
     * unknown. Slow (reads /proc): for logs, tests and benchmarks.
     */
    static long mappedHugeBytes(MemorySegment segment) {
        final long address = segment.address();
        final java.util.List<String> lines;
        try {
            lines = java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/smaps"));
        } catch (java.io.IOException | RuntimeException e) {
            return -1;
        }
        boolean inside = false;
        boolean found = false;
        long kib = 0;
        for (String line : lines) {
            final int dash = line.indexOf('-');
            final int space = line.indexOf(' ');
            if (dash > 0 && space > dash && MAPPING_HEADER.matcher(line).lookingAt()) { // "start-end perms offset dev inode path"
                if (inside) {
                    break;
                }
                final long start = Long.parseUnsignedLong(line.substring(0, dash), 16);
                final long end = Long.parseUnsignedLong(line.substring(dash + 1, space), 16);
                inside = Long.compareUnsigned(address, start) >= 0 && Long.compareUnsigned(address, end) < 0;
                found |= inside;
            } else if (inside && (line.startsWith("AnonHugePages:") || line.startsWith("ShmemPmdMapped:")
                || line.startsWith("FilePmdMapped:"))) {
                kib += Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return found ? kib * 1024 : -1;
    }

    private static final java.util.regex.Pattern MAPPING_HEADER = java.util.regex.Pattern.compile("[0-9a-f]+-[0-9a-f]+ ");

    private static void unmap(long address, long length) {
        try {
            final int ignored = (int) MUNMAP.invokeExact(address, length);
        } catch (Throwable e) {
            // Nothing to do: the memory stays mapped until the process exits.
        }
    }
}
