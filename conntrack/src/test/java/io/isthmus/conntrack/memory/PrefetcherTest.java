package io.isthmus.conntrack.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

class PrefetcherTest {

    private static final boolean X86_64 = System.getProperty("os.arch").equals("amd64")
        || System.getProperty("os.arch").equals("x86_64");

    @Test
    void everyHintRunsOnAddressesInsideAndOutsideAnyMapping() throws Throwable {
        assumeTrue(X86_64, "the emitted prefetch is x86-64 code; this JVM runs on " + System.getProperty("os.arch"));
        try (Arena arena = Arena.ofConfined()) {
            final MemorySegment data = arena.allocate(1 << 20, 64);
            final long[] targets = {
                data.address(), data.address() + 4096, data.address() + (1 << 20) - 1,
                0L, 8L, 4096L, -1L, 0xFFFF_8000_0000_0000L, 0x7FFF_FFFF_F000L, 0x0000_1000_0000_0000L, 1L << 47,
            };
            final MemorySegment addresses = arena.allocate(8L * targets.length, 8);
            MemorySegment.copy(targets, 0, addresses, ValueLayout.JAVA_LONG, 0, targets.length);
            for (Prefetcher.Hint hint : Prefetcher.Hint.values()) {
                final Prefetcher.Emitted emitted = Prefetcher.emit(hint.name(), System.getProperty("os.arch"));
                assertTrue(emitted.available(), () -> hint + ": " + emitted.reason());
                assertEquals(hint, emitted.hint());
                emitted.handle().invokeExact(addresses.address(), (long) targets.length);
                emitted.handle().invokeExact(addresses.address(), 0L);
                emitted.handle().invokeExact(0L, -5L); // count <= 0: never reads the array
            }
            // The data is untouched by a prefetch.
            assertEquals(0L, data.get(ValueLayout.JAVA_LONG, 0));
        }
    }

    @Test
    void theProcessWidePrefetcherIsOnByDefaultOnX86() {
        assumeTrue(X86_64, "the emitted prefetch is x86-64 code; this JVM runs on " + System.getProperty("os.arch"));
        assumeTrue(System.getProperty(Prefetcher.PROPERTY) == null, "-D" + Prefetcher.PROPERTY + " is set for this run");
        assertTrue(Prefetcher.ENABLED, Prefetcher.emitted().reason());
        assertEquals(Prefetcher.Hint.T1, Prefetcher.emitted().hint());
        try (Arena arena = Arena.ofConfined()) {
            final MemorySegment addresses = arena.allocate(16, 8);
            addresses.set(ValueLayout.JAVA_LONG, 0, addresses.address());
            addresses.set(ValueLayout.JAVA_LONG, 8, 0L);
            Prefetcher.prefetch(addresses.address(), 2);
        }
    }

    @Test
    void theFallbackIsTakenWhenTurnedOffOrNotX86() {
        for (String off : new String[] {"false", "off", "none", "FALSE"}) {
            final Prefetcher.Emitted emitted = Prefetcher.emit(off, "amd64");
            assertFalse(emitted.available());
            assertNull(emitted.handle());
            assertTrue(emitted.reason().contains("turned off"), emitted.reason());
        }
        final Prefetcher.Emitted arm = Prefetcher.emit("t1", "aarch64");
        assertFalse(arm.available());
        assertTrue(arm.reason().contains("aarch64"), arm.reason());
        final Prefetcher.Emitted typo = Prefetcher.emit("t3", "amd64");
        assertFalse(typo.available());
        assertTrue(typo.reason().contains("t3") && typo.reason().contains("t0, t1, t2, nta"), typo.reason());
    }
}
