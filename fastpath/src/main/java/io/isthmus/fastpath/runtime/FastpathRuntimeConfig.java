package io.isthmus.fastpath.runtime;

import io.isthmus.conntrack.ConntrackConfig;
import io.isthmus.fastpath.pipeline.FlowSettings;
import io.isthmus.fastpath.worker.IdleMode;
import io.isthmus.fastpath.worker.WorkerThread;
import io.isthmus.fastpath.xsk.XskBindMode;
import io.isthmus.fastpath.xsk.XskConfig;

import java.nio.file.Path;
import java.time.Duration;

/**
 * What a {@link FastpathRuntime} is made of.
 *
 * @param workerName          the worker thread's name
 * @param portSlots           ports one worker can hold at once (slot ids 0..portSlots-1 stay stable)
 * @param umemFrames          frames of the worker's UMEM, shared fairly by its ports
 * @param xsk                 ring sizes and modes of each port's socket
 * @param idleMode            how the worker waits when idle
 * @param conntrack           the conntrack file (under /dev/shm), capacity and timeouts
 * @param sweepInterval       how often the control agent runs a conntrack sweeper slice
 * @param sweepEntriesPerCall entries one sweeper slice looks at
 * @param commandTimeout      how long a port change may wait for the worker
 * @param flow                the flow stages' settings (SNAT address, pod CIDR, conntrack stripe);
 *                            null: no flow stages (routes only, conntrack opened but not used by the worker)
 * @param workerThread        the worker thread's nice value and CPU ({@link WorkerThread#INHERIT}: as started)
 */
public record FastpathRuntimeConfig(String workerName, int portSlots, int umemFrames, XskConfig xsk, IdleMode idleMode,
                                    ConntrackConfig conntrack, Duration sweepInterval, int sweepEntriesPerCall,
                                    Duration commandTimeout, FlowSettings flow, WorkerThread workerThread) {

    public FastpathRuntimeConfig {
        if (portSlots < 1 || portSlots > 4096) {
            throw new IllegalArgumentException("port slots must be 1..4096, was " + portSlots);
        }
        if (umemFrames < 2 * xsk.ringEntries()) {
            throw new IllegalArgumentException("UMEM frames (" + umemFrames + ") must be at least twice the ring entries ("
                    + xsk.ringEntries() + ")");
        }
        if (workerThread == null) {
            throw new IllegalArgumentException("worker thread placement is required (WorkerThread.INHERIT: none)");
        }
    }

    /** Without a thread placement: the worker thread inherits its nice value and CPUs. */
    public FastpathRuntimeConfig(String workerName, int portSlots, int umemFrames, XskConfig xsk, IdleMode idleMode,
                                 ConntrackConfig conntrack, Duration sweepInterval, int sweepEntriesPerCall,
                                 Duration commandTimeout, FlowSettings flow) {
        this(workerName, portSlots, umemFrames, xsk, idleMode, conntrack, sweepInterval, sweepEntriesPerCall, commandTimeout,
                flow, WorkerThread.INHERIT);
    }

    /**
     * 256 port slots, a 64 MiB UMEM (32768 frames of 2 KiB) shared by the ports, 4096-entry rings as
     * {@link XskConfig#defaults()} (a port's fill share is pool / (2 x ports), capped by its ring: up to
     * 4 ports get 4096 frames, 6 get 2730; 2048-entry fill rings ran dry on 2 shared vCPUs; the rings
     * cost the kernel 192 KiB per port, 96 KiB more than 2048 entries), adaptive idling ({@link IdleMode#NODE_DEFAULT}),
     * a 262144-entry conntrack table (30 MiB) at {@code conntrackPath}, a sweeper slice of 4096
     * entries every 10 ms, the full flow pipeline ({@link FlowSettings#defaults()}).
     */
    public static FastpathRuntimeConfig defaults(Path conntrackPath) {
        return new FastpathRuntimeConfig("isthmus-worker-0", 256, 32768,
                XskConfig.defaults(), IdleMode.NODE_DEFAULT,
                ConntrackConfig.defaults().withPath(conntrackPath).withCapacity(1 << 18),
                Duration.ofMillis(10), 4096, Duration.ofSeconds(5), FlowSettings.defaults());
    }

    /** Small sizes for tests on a shared machine: 16 slots, 8192 frames, 1024-entry rings, 16384 connections, full flow pipeline. */
    public static FastpathRuntimeConfig small(Path conntrackPath) {
        return new FastpathRuntimeConfig("isthmus-worker-test", 16, 8192,
                new XskConfig(2048, 2048, 1024, XskBindMode.AUTO, null), IdleMode.BACKOFF,
                ConntrackConfig.defaults().withPath(conntrackPath).withCapacity(1 << 14),
                Duration.ofMillis(10), 1024, Duration.ofSeconds(5), FlowSettings.defaults());
    }

    public FastpathRuntimeConfig withIdleMode(IdleMode mode) {
        return new FastpathRuntimeConfig(workerName, portSlots, umemFrames, xsk, mode, conntrack, sweepInterval,
                sweepEntriesPerCall, commandTimeout, flow, workerThread);
    }

    /** The same with the worker thread placed as {@code placement} says. */
    public FastpathRuntimeConfig withWorkerThread(WorkerThread placement) {
        return new FastpathRuntimeConfig(workerName, portSlots, umemFrames, xsk, idleMode, conntrack, sweepInterval,
                sweepEntriesPerCall, commandTimeout, flow, placement);
    }

    /** The same with other flow settings (null: routes only, no flow stages). */
    public FastpathRuntimeConfig withFlow(FlowSettings settings) {
        return new FastpathRuntimeConfig(workerName, portSlots, umemFrames, xsk, idleMode, conntrack, sweepInterval,
                sweepEntriesPerCall, commandTimeout, settings, workerThread);
    }
}
