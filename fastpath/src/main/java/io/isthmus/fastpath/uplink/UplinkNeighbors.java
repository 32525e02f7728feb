package io.isthmus.fastpath.uplink;

import io.isthmus.fastpath.packet.MacAddress;

import java.util.Arrays;

/**
 * Who sent what on the uplink: IPv4 source address → the Ethernet source MAC of the last frame
 * from it that the fast path took. A reply of an outside client's flow leaves the uplink toward
 * that MAC: the client's own when it is on the node's link, else the router's that brought the
 * frame (the Cilium XDP NodePort model: answer to where the request came from, no FIB lookup).
 *
 * <p>Open addressing over a power-of-two array (address 0 = empty), Fibonacci hash, a probe window
 * of {@link #PROBE_WINDOW} slots; when the window is full the home slot is overwritten (a
 * forgotten client is answered through the uplink's default next hop, see {@code UplinkNextHopStage}).
 * Fixed size, allocated once: learning and looking up allocate nothing.
 *
 * <p><b>Thread-safety:</b> one worker writes and reads it (the worker that owns the uplink port);
 * nothing else touches it.
 */
public final class UplinkNeighbors {
    public static final int DEFAULT_CAPACITY_ENTRIES = 4096;
    static final int PROBE_WINDOW = 8;

    private final int[] addresses;
    private final long[] macs;
    private final int mask;
    private final int hashShift;

    public UplinkNeighbors(int capacityEntries) {
        if (capacityEntries < PROBE_WINDOW || Integer.bitCount(capacityEntries) != 1) {
            throw new IllegalArgumentException("capacity must be a power of two >= " + PROBE_WINDOW + ", was " + capacityEntries);
        }
        addresses = new int[capacityEntries];
        macs = new long[capacityEntries];
        mask = capacityEntries - 1;
        hashShift = 32 - Integer.numberOfTrailingZeros(capacityEntries);
    }

    private int home(int ipv4) {
        return (ipv4 * 0x9E3779B9) >>> hashShift;
    }

    /** Records that {@code ipv4} was last seen behind {@code mac} (0.0.0.0 is ignored). */
    public void learn(int ipv4, long mac) {
        if (ipv4 == 0) {
            return;
        }
        final int home = home(ipv4);
        for (int n = 0; n < PROBE_WINDOW; n++) {
            final int slot = (home + n) & mask;
            final int key = addresses[slot];
            if (key == ipv4 || key == 0) {
                addresses[slot] = ipv4;
                macs[slot] = mac;
                return;
            }
        }
        addresses[home] = ipv4;
        macs[home] = mac;
    }

    /** The MAC {@code ipv4} was last seen behind, or {@link MacAddress#UNKNOWN}. */
    public long macOf(int ipv4) {
        if (ipv4 == 0) {
            return MacAddress.UNKNOWN;
        }
        final int home = home(ipv4);
        for (int n = 0; n < PROBE_WINDOW; n++) {
            final int slot = (home + n) & mask;
            final int key = addresses[slot];
            if (key == ipv4) {
                return macs[slot];
            }
            if (key == 0) {
                return MacAddress.UNKNOWN;
            }
        }
        return MacAddress.UNKNOWN;
    }

    /** Forgets everything (the uplink was re-attached). */
    public void clear() {
        Arrays.fill(addresses, 0);
        Arrays.fill(macs, MacAddress.UNKNOWN);
    }
}
