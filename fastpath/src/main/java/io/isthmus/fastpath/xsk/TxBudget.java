package io.isthmus.fastpath.xsk;

/**
 * How many TX descriptors a worker's copy-mode AF_XDP socket may send per {@code sendto}
 * ({@code XDP_MAX_TX_SKB_BUDGET}, Linux 6.17+). The kernel's own budget is 32 frames a call, so a
 * worker flushing a batch of 64 frames to one port needed two kicks, and each kick is a system
 * call (~270 ns on the 2-vCPU benchmark machine) plus the socket's send path. A worker's ports ask
 * for {@link #WORKER_FRAMES}; {@code isthmus pktgen} keeps the kernel's budget, so the harness's
 * generator and sinks stay as they were for every dataplane.
 *
 * <p>{@code -Disthmus.xsk.txBudget=N} changes the worker's budget (32: the kernel's, i.e. not
 * set; for side-by-side measurements).
 *
 * <p><b>Thread-safety:</b> constants and a pure function; read when ports open.
 */
public final class TxBudget {
    /** The kernel's budget (TX_BATCH_SIZE in net/xdp/xsk.c) and the smallest value it accepts. */
    public static final int KERNEL_FRAMES = 32;
    /** The worker ports' budget unless the property says otherwise: four batches of 64. */
    public static final int WORKER_FRAMES = 256;
    public static final String PROPERTY = "isthmus.xsk.txBudget";
    /**
     * Cycles a worker port's kick may wait while the worker's batches come in full and fewer than a
     * batch of frames is queued ({@code AfXdpPort#coalesceKicks}); {@code -Disthmus.xsk.kickCoalesceCycles=N}, 0: off.
     */
    public static final int WORKER_COALESCE_CYCLES = 2;
    public static final String COALESCE_PROPERTY = "isthmus.xsk.kickCoalesceCycles";

    private TxBudget() {
    }

    /** Gives a worker's port its kick budget and kick coalescing (slow path, when the port opens). */
    public static void applyToWorkerPort(AfXdpPort port) {
        port.setTxBudget(workerFrames());
        port.coalesceKicks(workerCoalesceCycles());
    }

    /** The worker ports' budget: the property's value when it is a number, else {@link #WORKER_FRAMES}. */
    public static int workerFrames() {
        return parse(System.getProperty(PROPERTY));
    }

    /** The worker ports' kick coalescing: the property's value when it is a number, else {@link #WORKER_COALESCE_CYCLES}. */
    public static int workerCoalesceCycles() {
        return intProperty(COALESCE_PROPERTY, System.getProperty(COALESCE_PROPERTY), WORKER_COALESCE_CYCLES, 0, "a number of cycles");
    }

    static int parse(String value) {
        return intProperty(PROPERTY, value, WORKER_FRAMES, KERNEL_FRAMES, "a number of frames (32..TX ring entries)");
    }

    /** {@code value} as a number of at least {@code min}; {@code fallback} when unset; a clear error naming the property otherwise. */
    private static int intProperty(String property, String value, int fallback, int min, String what) {
        if (value == null || value.isBlank()) {
            return fallback;
        }
        try {
            return Math.max(min, Integer.parseInt(value.strip()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("-D" + property + " takes " + what + ", not '" + value + "'");
        }
    }
}
