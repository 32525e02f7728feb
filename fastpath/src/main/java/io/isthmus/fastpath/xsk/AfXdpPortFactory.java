package io.isthmus.fastpath.xsk;

import io.isthmus.fastpath.frame.FrameLoans;
import io.isthmus.fastpath.frame.FrameMemory;
import io.isthmus.fastpath.frame.FramePool;
import io.isthmus.fastpath.linux.Errno;
import io.isthmus.fastpath.linux.LinuxException;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The AF_XDP side of a worker whose ports come and go: ONE UMEM (with its {@link FramePool} and
 * {@link FrameLoans}) for the worker's lifetime, and the interfaces currently attached, by slot.
 *
 * <p>{@link #open} attaches an interface (socket + XSKMAP + redirect program + BPF link); its socket
 * shares the UMEM of any socket still open ({@code XDP_SHARED_UMEM}, with its own fill and
 * completion rings: it is on another device) or registers the UMEM afresh when none is. The
 * returned port starts with a fill share of zero: it touches no frame until the worker takes it
 * and gives it a share. {@link #close} detaches the interface (link first, so the kernel stops
 * redirecting; then program, map, socket). After close, the worker must
 * {@link AfXdpPort#reclaimLentFrames() reclaim} the port's frames: only then are they all back.
 * {@link #openQueues} attaches several queues of one interface (the uplink) as ports in
 * consecutive slots, one socket per queue under one program; they are closed together.
 *
 * <pre>
 *   control thread:  open(slot, if) ──▶ worker.attach(port) ──▶ (switching) ──▶ worker.detach(slot)
 *                    ──▶ close(slot) ──▶ worker.call(port::reclaimLentFrames)
 * </pre>
 *
 * <p><b>Thread-safety:</b> {@link #open}, {@link #close}, {@link #close()} from one control thread;
 * the pool and the loans belong to the worker (read them on its thread, e.g. with {@code Worker.call}).
 */
public final class AfXdpPortFactory implements AutoCloseable {
    /** How long {@link #open} retries a bind that the kernel refuses with EBUSY (see {@link #attachRetryingWhileBusy}). */
    static final long BIND_BUSY_RETRY_NS = 3_000_000_000L;

    private final Umem umem;
    private final FramePool pool;
    private final FrameLoans loans;
    private final XskConfig config;
    private final Map<Integer, AfXdpInterface> interfaces = new HashMap<>();
    private final Map<Integer, AfXdpPort> ports = new HashMap<>();

    private AfXdpPortFactory(Umem umem, XskConfig config) {
        this.umem = umem;
        this.pool = new FramePool(umem.memory());
        this.loans = new FrameLoans(umem.memory());
        this.config = config;
    }

    /** Maps a UMEM of {@code umemFrames} frames of {@code config.frameSizeBytes()}. */
    public static AfXdpPortFactory allocate(int umemFrames, XskConfig config) {
        return new AfXdpPortFactory(Umem.allocate(umemFrames, config.frameSizeBytes()), config);
    }

    public FrameMemory memory() {
        return umem.memory();
    }

    /** The worker's pool: hand it to the worker; read it only on the worker's thread. */
    public FramePool pool() {
        return pool;
    }

    /** The worker's ledger of lent frames: read it only on the worker's thread. */
    public FrameLoans loans() {
        return loans;
    }

    /** Attaches {@code interfaceName} as port {@code slot}; the slot must not be open. */
    public AfXdpPort open(int slot, String interfaceName) {
        return open(slot, interfaceName, AfXdpInterface.REDIRECT_EVERYTHING);
    }

    /** As {@link #open(int, String)} with the XDP program {@code program} loads over the XSKMAP fd (the uplink's steering program). */
    public AfXdpPort open(int slot, String interfaceName, XdpProgramLoader program) {
        return openQueues(slot, interfaceName, 1, program).getFirst();
    }

    /**
     * Attaches queues {@code 0..queueCount-1} of {@code interfaceName} (one socket each, one XSKMAP,
     * one program: {@link AfXdpInterface#attachQueues}) as ports in the slots
     * {@code firstSlot..firstSlot+queueCount-1}, queue {@code q} in slot {@code firstSlot + q}; none
     * of them may be open. Returns the ports in queue order. {@link #close(int)} of any of those
     * slots detaches them all.
     */
    public List<AfXdpPort> openQueues(int firstSlot, String interfaceName, int queueCount, XdpProgramLoader program) {
        for (int q = 0; q < queueCount; q++) {
            if (interfaces.containsKey(firstSlot + q)) {
                throw new IllegalStateException("slot " + (firstSlot + q) + " already holds " + interfaces.get(firstSlot + q).interfaceName());
            }
        }
        final XskSocket shareWith = interfaces.isEmpty() ? null : interfaces.values().iterator().next().socket();
        final AfXdpInterface attached = attachRetryingWhileBusy(interfaceName, queueCount, shareWith, program);
        final List<AfXdpPort> opened = new ArrayList<>(queueCount);
        for (int q = 0; q < queueCount; q++) {
            final AfXdpPort port = AfXdpPort.open(firstSlot + q, attached.socket(q), pool, loans, 0, config);
            TxBudget.applyToWorkerPort(port);
            interfaces.put(firstSlot + q, attached);
            ports.put(firstSlot + q, port);
            opened.add(port);
        }
        return opened;
    }

    /**
     * The kernel releases a closed socket's buffer pool from a work queue, so for a moment after a
     * detach the same interface queue still has a pool and bind fails with EBUSY; a pod whose
     * interface is detached and attached again at once (CNI DEL then ADD) meets it. Retry then.
     */
    private AfXdpInterface attachRetryingWhileBusy(String interfaceName, int queueCount, XskSocket shareWith, XdpProgramLoader program) {
        final long deadlineNs = System.nanoTime() + BIND_BUSY_RETRY_NS;
        while (true) {
            try {
                return AfXdpInterface.attachQueues(interfaceName, queueCount, umem, shareWith, config, program);
            } catch (LinuxException e) {
                if (e.errno() != Errno.EBUSY || !e.call().startsWith("bind") || System.nanoTime() > deadlineNs) {
                    throw e;
                }
                try {
                    Thread.sleep(10);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    /** The interface attached in {@code slot}, or null. */
    public AfXdpInterface interfaceAt(int slot) {
        return interfaces.get(slot);
    }

    /**
     * Detaches the interface of {@code slot} (the worker must have let go of the port already).
     * Idempotent. Returns the port, whose lent frames the worker must reclaim next. An interface
     * with several queues ({@link #openQueues}) goes whole: use {@link #closeQueues} to get all its ports.
     */
    public AfXdpPort close(int slot) {
        final AfXdpPort port = ports.get(slot);
        closeQueues(slot);
        return port;
    }

    /**
     * Detaches the interface of {@code slot} with every queue it has (the worker must have let go
     * of all their ports already). Idempotent: empty when the slot holds nothing. Returns the
     * ports in slot order, whose lent frames the worker must reclaim next.
     */
    public List<AfXdpPort> closeQueues(int slot) {
        final AfXdpInterface attached = interfaces.get(slot);
        if (attached == null) {
            return List.of();
        }
        final List<Integer> slots = new ArrayList<>();
        for (Map.Entry<Integer, AfXdpInterface> entry : interfaces.entrySet()) {
            if (entry.getValue() == attached) {
                slots.add(entry.getKey());
            }
        }
        slots.sort(null);
        final List<AfXdpPort> released = new ArrayList<>(slots.size());
        for (int s : slots) {
            interfaces.remove(s);
            released.add(ports.remove(s));
        }
        try {
            attached.close();
        } finally {
            for (AfXdpPort port : released) {
                port.close();
            }
        }
        return released;
    }

    /** Detaches every interface, then unmaps the UMEM (after the worker stopped). */
    @Override
    public void close() {
        final IllegalStateException failure = new IllegalStateException("closing AF_XDP ports failed");
        for (Integer slot : List.copyOf(new ArrayList<>(interfaces.keySet()))) {
            try {
                close(slot);
            } catch (RuntimeException e) {
                failure.addSuppressed(e);
            }
        }
        umem.close();
        if (failure.getSuppressed().length != 0) {
            throw failure;
        }
    }
}
