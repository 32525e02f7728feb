package io.isthmus.fastpath.worker;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Where and how urgently the worker's thread runs: a nice value (lower runs first when the CPUs
 * are shared, e.g. with the agent's own threads, the pods and the generator of a benchmark) and
 * optionally one CPU it is pinned to (a dedicated core, the usual pairing with busy-spin idling).
 * Applied by the worker's thread to itself when it starts ({@link #applyToCurrentThread}):
 * {@code setpriority(PRIO_PROCESS, gettid(), nice)} and {@code sched_setaffinity(0, ...)}.
 *
 * <p>A setting the kernel refuses (not root: EACCES for a negative nice; a CPU outside the
 * process's cpuset: EINVAL) is reported in the returned text and the worker runs as it was:
 * placement changes speed, never correctness.
 *
 * @param nice the thread's nice value, -20..19; {@link #KEEP_NICE}: leave it as inherited
 * @param cpu  the CPU to pin the thread to, 0..1023; {@link #ANY_CPU}: no pinning
 */
public record WorkerThread(int nice, int cpu) {
    public static final int KEEP_NICE = Integer.MIN_VALUE;
    public static final int ANY_CPU = -1;
    /** Inherit everything (what a worker did before placement existed). */
    public static final WorkerThread INHERIT = new WorkerThread(KEEP_NICE, ANY_CPU);
    /**
     * A node agent's worker ({@code isthmus agent}, {@code isthmus up}): nice {@value #NODE_NICE},
     * so that when CPUs are short the agent's other threads (API server, informers, DNS, Ingress)
     * and the node's ordinary processes wait, not the packets (Open vSwitch's ovs-ctl starts
     * ovs-vswitchd at nice -10 for the same reason); any CPU.
     */
    public static final int NODE_NICE = -5;
    public static final WorkerThread NODE = new WorkerThread(NODE_NICE, ANY_CPU);
    private static final int PRIO_PROCESS = 0;
    private static final int MAX_CPUS = 1024;

    public WorkerThread {
        if (nice != KEEP_NICE && (nice < -20 || nice > 19)) {
            throw new IllegalArgumentException("worker nice must be -20..19, not " + nice);
        }
        if (cpu != ANY_CPU && (cpu < 0 || cpu >= MAX_CPUS)) {
            throw new IllegalArgumentException("worker CPU must be 0.." + (MAX_CPUS - 1) + ", not " + cpu);
        }
    }

    public WorkerThread withNice(int newNice) {
        return new WorkerThread(newNice, cpu);
    }

    public WorkerThread withCpu(int newCpu) {
        return new WorkerThread(nice, newCpu);
    }

    /** Parses a {@code --worker-nice} value (-20..19); the error names the option. */
    public static int parseNice(String text) {
        try {
            final int value = Integer.parseInt(text.trim());
            if (value < -20 || value > 19) {
                throw new IllegalArgumentException("--worker-nice must be -20..19, not " + value);
            }
            return value;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--worker-nice takes a number -20..19, not '" + text + "'");
        }
    }

    /** Parses a {@code --worker-cpu} value (a CPU number); the error names the option. */
    public static int parseCpu(String text) {
        try {
            final int value = Integer.parseInt(text.trim());
            if (value < 0 || value >= MAX_CPUS) {
                throw new IllegalArgumentException("--worker-cpu must be 0.." + (MAX_CPUS - 1) + ", not " + value);
            }
            return value;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--worker-cpu takes a CPU number, not '" + text + "'");
        }
    }

    /**
     * Calling thread (the worker's, once, before its first duty cycle): applies the nice value and
     * the CPU. Returns what was done, or what the kernel refused and why (for the log).
     */
    public String applyToCurrentThread() {
        final StringBuilder done = new StringBuilder();
        if (nice != KEEP_NICE) {
            final int errno = Native.setNice(nice);
            done.append(errno == 0 ? "nice " + nice : "nice " + nice + " refused (errno " + errno + ")");
        }
        if (cpu != ANY_CPU) {
            final int errno = Native.pin(cpu);
            done.append(done.isEmpty() ? "" : ", ").append(errno == 0 ? "cpu " + cpu : "cpu " + cpu + " refused (errno " + errno + ")");
        }
        return done.isEmpty() ? "inherited" : done.toString();
    }

    /** The calling thread's nice value as the kernel reports it (tests). */
    public static int currentNice() {
        return Native.getNice();
    }

    /** The C calls, bound on first use. */
    @SuppressWarnings("restricted")
    private static final class Native {
        private static final Linker LINKER = Linker.nativeLinker();
        private static final SymbolLookup LIBC = LINKER.defaultLookup();
        private static final Linker.Option ERRNO = Linker.Option.captureCallState("errno");
        private static final MemoryLayout STATE = Linker.Option.captureStateLayout();
        private static final VarHandle ERRNO_VALUE = STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
        private static final MethodHandle GETTID = LINKER.downcallHandle(symbol("gettid"), FunctionDescriptor.of(JAVA_INT));
        private static final MethodHandle SETPRIORITY = LINKER.downcallHandle(symbol("setpriority"),
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT), ERRNO);
        private static final MethodHandle GETPRIORITY = LINKER.downcallHandle(symbol("getpriority"),
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
        private static final MethodHandle SCHED_SETAFFINITY = LINKER.downcallHandle(symbol("sched_setaffinity"),
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS), ERRNO);

        private static MemorySegment symbol(String name) {
            return LIBC.find(name).orElseThrow(() -> new UnsatisfiedLinkError("libc has no " + name));
        }

        /** 0, or the errno of the refusal. */
        static int setNice(int nice) {
            try (Arena arena = Arena.ofConfined()) {
                final MemorySegment state = arena.allocate(STATE);
                final int tid = (int) GETTID.invokeExact();
                final int result = (int) SETPRIORITY.invokeExact(state, PRIO_PROCESS, tid, nice);
                return result == 0 ? 0 : (int) ERRNO_VALUE.get(state, 0L);
            } catch (Throwable t) {
                throw new IllegalStateException("setpriority failed: " + t, t);
            }
        }

        static int getNice() {
            try {
                final int tid = (int) GETTID.invokeExact();
                return (int) GETPRIORITY.invokeExact(PRIO_PROCESS, tid);
            } catch (Throwable t) {
                throw new IllegalStateException("getpriority failed: " + t, t);
            }
        }

        /** 0, or the errno of the refusal. */
        static int pin(int cpu) {
            try (Arena arena = Arena.ofConfined()) {
                final MemorySegment state = arena.allocate(STATE);
                final MemorySegment mask = arena.allocate(MAX_CPUS / 8); // cpu_set_t: one bit per CPU, zeroed
                mask.set(java.lang.foreign.ValueLayout.JAVA_BYTE, cpu / 8, (byte) (1 << (cpu % 8)));
                final int result = (int) SCHED_SETAFFINITY.invokeExact(state, 0, mask.byteSize(), mask);
                return result == 0 ? 0 : (int) ERRNO_VALUE.get(state, 0L);
            } catch (Throwable t) {
                throw new IllegalStateException("sched_setaffinity failed: " + t, t);
            }
        }
    }
}
