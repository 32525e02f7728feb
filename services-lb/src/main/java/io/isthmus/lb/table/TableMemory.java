package io.isthmus.lb.table;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.ref.Cleaner;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The off-heap region of one table generation ({@link ServiceTableDescriptor}): zeroed, 64-byte
 * aligned, in its own shared arena. The region is freed explicitly by {@link Region#free()} (the
 * fast path's generation reclaimer calls {@code ServiceTable.free()} once no worker can still read
 * the generation); a table nobody frees (a test, a benchmark, a CLI dump) is freed by a cleaner
 * when it becomes unreachable, as before. Freeing twice is harmless. Live regions and bytes are
 * counted ({@link #liveRegions()}, {@link #liveBytes()}) so tests and metrics can check that
 * retired generations do not pile up.
 *
 * <p>A region of at least {@link #HUGE_PAGE_THRESHOLD_BYTES} (a table of some thousands of
 * Services) is mapped by hand on Linux — {@code mmap} of anonymous memory, 2 MiB aligned, then
 * {@code madvise(MADV_HUGEPAGE)} before anything touches it — so that with transparent huge pages
 * in "madvise" mode (the usual default) the kernel backs it with 2 MiB pages: a table of 10,000
 * Services is then two or three TLB entries instead of about a thousand, and the decision's
 * random reads stop paying for page walks (on a virtual machine, two-dimensional ones). When
 * mapping is impossible (another OS, native access refused, the call fails) the region comes
 * from an automatic arena with ordinary pages; nothing else changes.
 *
 * <p>Thread-safety: {@link #allocate} is called by the slow-path thread that builds a table;
 * {@link Region#free()} by the reclaimer (a slow-path thread) or the cleaner thread, at most once
 * effectively (a compare-and-set); the live counters are atomics any thread may read. The method
 * handles are immutable and may be used from any thread.
 */
final class TableMemory {

    static final long HUGE_PAGE_THRESHOLD_BYTES = 1L << 20;
    static final long HUGE_PAGE_BYTES = 2L << 20;

    private static final int PROT_READ = 1;
    private static final int PROT_WRITE = 2;
    private static final int MAP_PRIVATE = 2;
    private static final int MAP_ANONYMOUS = 0x20;
    private static final int MADV_HUGEPAGE = 14;
    private static final MethodHandle MMAP;
    private static final MethodHandle MADVISE;
    private static final MethodHandle MUNMAP;

    static {
        MethodHandle mmap = null;
        MethodHandle madvise = null;
        MethodHandle munmap = null;
        if (System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux")) {
            try {
                Linker linker = Linker.nativeLinker();
                var libc = linker.defaultLookup();
                mmap = linker.downcallHandle(libc.find("mmap").orElseThrow(), FunctionDescriptor.of(ValueLayout.ADDRESS,
                        ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT,
                        ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG));
                madvise = linker.downcallHandle(libc.find("madvise").orElseThrow(), FunctionDescriptor.of(ValueLayout.JAVA_INT,
                        ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));
                munmap = linker.downcallHandle(libc.find("munmap").orElseThrow(), FunctionDescriptor.of(ValueLayout.JAVA_INT,
                        ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));
            } catch (RuntimeException | Error e) { // no libc symbols or native access refused: ordinary pages
                mmap = null;
                madvise = null;
                munmap = null;
            }
        }
        MMAP = mmap;
        MADVISE = madvise;
        MUNMAP = munmap;
    }

    private static final Cleaner CLEANER = Cleaner.create();
    private static final AtomicLong LIVE_REGIONS = new AtomicLong();
    private static final AtomicLong LIVE_BYTES = new AtomicLong();

    /**
     * A region, whether the kernel was asked for huge pages for it, and how to free it (closing its
     * shared arena: a {@code munmap} for a mapped one).
     */
    static final class Region {
        private final MemorySegment segment;
        private final boolean hugePagesAdvised;
        private final Freeing freeing;
        private Cleaner.Cleanable cleanable;

        private Region(MemorySegment segment, boolean hugePagesAdvised, Arena arena) {
            this.segment = segment;
            this.hugePagesAdvised = hugePagesAdvised;
            this.freeing = new Freeing(arena, segment.byteSize());
            LIVE_REGIONS.incrementAndGet();
            LIVE_BYTES.addAndGet(segment.byteSize());
        }

        MemorySegment segment() {
            return segment;
        }

        boolean hugePagesAdvised() {
            return hugePagesAdvised;
        }

        /** Builder thread, once: frees the region when {@code owner} becomes unreachable unless {@link #free()} ran first. */
        void freeWhenUnreachable(Object owner) {
            cleanable = CLEANER.register(owner, freeing);
        }

        /** Frees the region now (idempotent). No thread may read it afterwards. */
        void free() {
            if (cleanable != null) {
                cleanable.clean();
            } else {
                freeing.run();
            }
        }

        boolean freed() {
            return freeing.done.get();
        }
    }

    /** Closes a region's arena once; holds no reference to the table (so the cleaner can run). */
    private static final class Freeing implements Runnable {
        private final Arena arena;
        private final long bytes;
        private final AtomicBoolean done = new AtomicBoolean();

        Freeing(Arena arena, long bytes) {
            this.arena = arena;
            this.bytes = bytes;
        }

        @Override
        public void run() {
            if (done.compareAndSet(false, true)) {
                arena.close();
                LIVE_REGIONS.decrementAndGet();
                LIVE_BYTES.addAndGet(-bytes);
            }
        }
    }

    /** Table regions allocated and not freed yet (any thread). */
    static long liveRegions() {
        return LIVE_REGIONS.get();
    }

    /** Bytes of the table regions allocated and not freed yet (any thread). */
    static long liveBytes() {
        return LIVE_BYTES.get();
    }

    private TableMemory() {
    }

    static Region allocate(long bytes) {
        if (bytes >= HUGE_PAGE_THRESHOLD_BYTES && MMAP != null) {
            Region mapped = mapWithHugePages(bytes);
            if (mapped != null) {
                return mapped;
            }
        }
        Arena arena = Arena.ofShared();
        return new Region(arena.allocate(bytes, ServiceTableDescriptor.BUCKET_BYTES), false, arena);
    }

    /** The mapped region, or null when a call fails. */
    private static Region mapWithHugePages(long bytes) {
        long length = (bytes + HUGE_PAGE_BYTES - 1) & -HUGE_PAGE_BYTES;
        long mapped = length + HUGE_PAGE_BYTES; // room to start at a 2 MiB boundary
        try {
            MemorySegment base = (MemorySegment) MMAP.invokeExact(MemorySegment.NULL, mapped,
                    PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0L);
            long baseAddress = base.address();
            if (baseAddress == -1L || baseAddress == 0L) {
                return null;
            }
            long start = (baseAddress + HUGE_PAGE_BYTES - 1) & -HUGE_PAGE_BYTES;
            int advised = (int) MADVISE.invokeExact(MemorySegment.ofAddress(start), length, MADV_HUGEPAGE);
            Arena arena = Arena.ofShared();
            MemorySegment region = MemorySegment.ofAddress(start).reinterpret(bytes, arena,
                    unused -> unmap(baseAddress, mapped));
            return new Region(region, advised == 0, arena);
        } catch (Throwable e) { // a failed downcall: ordinary pages instead
            return null;
        }
    }

    private static void unmap(long address, long length) {
        try {
            int ignored = (int) MUNMAP.invokeExact(MemorySegment.ofAddress(address), length);
        } catch (Throwable e) {
            // the freeing thread has nobody to tell; the mapping stays (a leak, never a crash)
        }
    }
}
