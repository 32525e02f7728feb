package io.isthmus.fastpath.pipeline;

import io.isthmus.fastpath.packet.MacAddress;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The MAC address of the pod behind each port (one pod per port), learned by the worker from the
 * source MAC of frames the pod sends, and the time of the last ARP request the worker sent for it
 * (rate limit: at most one per port per {@code requestIntervalNs}).
 *
 * <p><b>Thread-safety:</b> single writer: the worker that owns the ports. It stores MACs with
 * release stores so other threads (CLI, tests) can read them with {@link #podMacAcquire}; the
 * worker itself reads plainly ({@link #podMac}). The request times are the worker's alone.
 */
public final class NeighborTable {
    private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);
    private static final long NEVER = Long.MIN_VALUE;

    private final long[] podMac;
    private final long[] lastRequestNs;
    private final long requestIntervalNs;

    public NeighborTable(int portCount, long requestIntervalNs) {
        this.podMac = new long[portCount];
        this.lastRequestNs = new long[portCount];
        this.requestIntervalNs = requestIntervalNs;
        java.util.Arrays.fill(lastRequestNs, NEVER);
    }

    public int portCount() {
        return podMac.length;
    }

    /** Worker: the learned pod MAC on {@code port}, or {@link MacAddress#UNKNOWN}. */
    public long podMac(int port) {
        return podMac[port];
    }

    /** Any thread. */
    public long podMacAcquire(int port) {
        return (long) LONGS.getAcquire(podMac, port);
    }

    /** Worker: records the pod MAC on {@code port} (stores only when it changed). */
    public void learn(int port, long mac) {
        if (podMac[port] != mac) {
            LONGS.setRelease(podMac, port, mac);
        }
    }

    /** Worker: forgets the pod on {@code port} (the port got a new pod or a new local MAC). */
    public void forget(int port) {
        LONGS.setRelease(podMac, port, MacAddress.UNKNOWN);
        lastRequestNs[port] = NEVER;
    }

    /** Worker: true (and records {@code nowNs}) when an ARP request for the pod on {@code port} may go out now. */
    public boolean tryStartRequest(int port, long nowNs) {
        final long last = lastRequestNs[port];
        if (last != NEVER && nowNs - last < requestIntervalNs) {
            return false;
        }
        lastRequestNs[port] = nowNs;
        return true;
    }
}
