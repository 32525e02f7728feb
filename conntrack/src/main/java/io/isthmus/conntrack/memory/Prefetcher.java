package io.isthmus.conntrack.memory;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Locale;

/**
 * A software prefetch for Java: a tiny x86-64 function, emitted once at start into an
 * executable page of its own, called through a critical downcall (no thread-state transition).
 * Java has no prefetch instruction; a "touch" (a plain load) cannot retire before its line
 * arrives, so the CPU work after a touch waits for it. A {@code prefetchT1} retires at once and
 * the line comes in behind the work that follows.
 *
 * <p>The function is {@code void prefetch(const long *addresses, long count)}: for each of the
 * {@code count} 64-bit addresses stored from {@code addresses} on, one prefetch of the line
 * holding it. Assembled with {@code as} (GNU, intel syntax) and read back with
 * {@code objdump -d -M intel}:
 * <pre>
 *   0:  48 85 f6        test   rsi,rsi
 *   3:  7e 0f           jle    14            ; count &lt;= 0: nothing
 *   5:  48 8b 07        mov    rax,[rdi]     ; next address
 *   8:  0f 18 10        prefetcht1 [rax]     ; ModRM 0x10; t0 0x08, t2 0x18, nta 0x00
 *   b:  48 83 c7 08     add    rdi,0x8
 *   f:  48 ff ce        dec    rsi
 *  12:  75 f1           jne    5
 *  14:  c3              ret
 * </pre>
 * A prefetch never faults, whatever the address (unmapped, null, kernel space): the CPU drops
 * it. Only the array of addresses must be readable.
 *
 * <p>Which hint: {@code -Disthmus.conntrack.prefetch=t1} (the default: into L2, whose miss
 * tracking is deeper than the L1D's; the fastest in {@code benchmarks/conntrack/memory_floor.c
 * prefetch} on this Zen 4 VM), {@code t0}, {@code t2}, {@code nta}; {@code false} turns it off.
 * Fallback (one log line, never fatal): off by the property, not x86-64, no native access, or
 * the executable mapping refused (SELinux, a {@code noexec} policy): {@link #ENABLED} is false
 * and callers keep their touch loops.
 *
 * <p>Thread-safety: the emitted code is immutable after start and reads only its arguments;
 * any number of threads may call {@link #prefetch} at once, each with its own address array.
 */
public final class Prefetcher {

    /** The system property that picks the hint or turns the prefetch off. */
    public static final String PROPERTY = "isthmus.conntrack.prefetch";

    /** The prefetch hints of x86-64 ({@code 0F 18 /r}) and the ModRM byte each gives with [rax]. */
    public enum Hint {
        T0(0x08), T1(0x10), T2(0x18), NTA(0x00);

        final int modrm;

        Hint(int modrm) {
            this.modrm = modrm;
        }
    }

    private static final int CODE_BYTES = 0x15;
    private static final int HINT_MODRM_OFFSET = 0x0A;
    private static final byte[] CODE = {
        0x48, (byte) 0x85, (byte) 0xF6,       // test rsi,rsi
        0x7E, 0x0F,                           // jle ret
        0x48, (byte) 0x8B, 0x07,              // mov rax,[rdi]
        0x0F, 0x18, 0x10,                     // prefetcht1 [rax] (ModRM patched per hint)
        0x48, (byte) 0x83, (byte) 0xC7, 0x08, // add rdi,8
        0x48, (byte) 0xFF, (byte) 0xCE,       // dec rsi
        0x75, (byte) 0xF1,                    // jne mov
        (byte) 0xC3                           // ret
    };

    private static final int PAGE_BYTES = 4096;
    private static final int PROT_READ = 0x1;
    private static final int PROT_WRITE = 0x2;
    private static final int PROT_EXEC = 0x4;
    private static final int MAP_PRIVATE_ANONYMOUS = 0x02 | 0x20;

    /** What {@link #emit} gave: the callable function, or null and why not. */
    public record Emitted(MethodHandle handle, Hint hint, long codeAddress, String reason) {
        public boolean available() {
            return handle != null;
        }
    }

    private static final Emitted EMITTED = emit(System.getProperty(PROPERTY, "t1"), System.getProperty("os.arch", ""));
    /** The downcall ({@code (long addresses, long count) void}); null when not {@link #ENABLED}. */
    private static final MethodHandle PREFETCH = EMITTED.handle();
    /** True when {@link #prefetch} is a real prefetch; false: callers use their touch loops. */
    public static final boolean ENABLED = PREFETCH != null;

    static {
        final System.Logger log = System.getLogger(Prefetcher.class.getName());
        if (ENABLED) {
            log.log(System.Logger.Level.INFO, "conntrack prefetch: prefetch" + EMITTED.hint().name().toLowerCase(Locale.ROOT)
                + " emitted at 0x" + Long.toHexString(EMITTED.codeAddress()));
        } else {
            log.log(System.Logger.Level.INFO, "conntrack prefetch off, touch loops instead: " + EMITTED.reason());
        }
    }

    private Prefetcher() {
    }

    /** The process's prefetcher as emitted at start (hint, address, or why it is off). */
    public static Emitted emitted() {
        return EMITTED;
    }

    /**
     * Prefetches the lines at the {@code count} addresses stored as 64-bit words from native
     * address {@code addresses} on. Only when {@link #ENABLED}; no allocation, no exception.
     */
    public static void prefetch(long addresses, long count) {
        try {
            PREFETCH.invokeExact(addresses, count);
        } catch (Throwable impossible) {
            // The emitted code cannot throw; a Throwable here would be a linker error at the
            // first call, and a prefetch is only a hint: nothing to do.
        }
    }

    /**
     * Emits the function for {@code setting} (a hint name, or "false"/"off" to refuse) on
     * {@code arch} (the {@code os.arch} property). Never throws: a refusal says why.
     */
    public static Emitted emit(String setting, String arch) {
        final String s = setting == null ? "t1" : setting.trim().toLowerCase(Locale.ROOT);
        if (s.equals("false") || s.equals("off") || s.equals("none")) {
            return refused(null, "turned off by -D" + PROPERTY + "=" + setting);
        }
        final Hint hint;
        switch (s) {
            case "t0" -> hint = Hint.T0;
            case "t1", "true", "on", "" -> hint = Hint.T1;
            case "t2" -> hint = Hint.T2;
            case "nta" -> hint = Hint.NTA;
            default -> {
                return refused(null, "-D" + PROPERTY + "=" + setting + " is not one of t0, t1, t2, nta, false");
            }
        }
        if (!arch.equals("amd64") && !arch.equals("x86_64")) {
            return refused(hint, "os.arch is " + arch + ", the emitted code is x86-64");
        }
        try {
            final Linker linker = Linker.nativeLinker();
            final SymbolLookup libc = linker.defaultLookup();
            final MethodHandle mmap = linker.downcallHandle(libc.find("mmap").orElseThrow(), FunctionDescriptor.of(
                ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT,
                ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG));
            final MethodHandle mprotect = linker.downcallHandle(libc.find("mprotect").orElseThrow(), FunctionDescriptor.of(
                ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));
            final long page = (long) mmap.invokeExact(0L, (long) PAGE_BYTES, PROT_READ | PROT_WRITE, MAP_PRIVATE_ANONYMOUS, -1, 0L);
            if (page == -1L || page == 0L) {
                return refused(hint, "mmap of one page for the code failed");
            }
            final MemorySegment code = MemorySegment.ofAddress(page).reinterpret(PAGE_BYTES);
            MemorySegment.copy(CODE, 0, code, ValueLayout.JAVA_BYTE, 0, CODE_BYTES);
            code.set(ValueLayout.JAVA_BYTE, HINT_MODRM_OFFSET, (byte) hint.modrm);
            // W^X: the page is never writable and executable at once. The page stays mapped
            // for the life of the process (one per emit).
            if ((int) mprotect.invokeExact(page, (long) PAGE_BYTES, PROT_READ | PROT_EXEC) != 0) {
                return refused(hint, "mprotect(PROT_READ|PROT_EXEC) refused (SELinux or a noexec policy?)");
            }
            final MethodHandle handle = linker.downcallHandle(MemorySegment.ofAddress(page),
                FunctionDescriptor.ofVoid(ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG), Linker.Option.critical(false));
            return new Emitted(handle, hint, page, "emitted");
        } catch (Throwable e) {
            return refused(hint, "no native access or linker refused: " + e);
        }
    }

    private static Emitted refused(Hint hint, String reason) {
        return new Emitted(null, hint, 0L, reason);
    }
}
