package io.isthmus.benchmarks.conntrack;

import io.isthmus.conntrack.Addresses;
import io.isthmus.conntrack.ConntrackDescriptor;
import java.util.SplittableRandom;

/**
 * The connections every conntrack benchmark uses, whatever the map: connection {@code i} is
 * 10.x.y.z (from i) : (1024 + i % 60000) -> 10.96.0.(i % 64) : 80, TCP, DNAT'd to backend
 * 10.244.(i % 256).1 : 8080. Each map holds both tuples of every connection (original and
 * reply), as conntrack must. Misses use destination 10.97.x (never inserted).
 */
final class Flows {

    private Flows() {
    }

    static final int TCP = 6;
    /** Insert+delete cycles over this many fresh keys per thread, in every map alike. */
    static final int INSERT_KEYS = 1024;
    /** Random key indexes are drawn from a table of this many (wraps), so draws cost nothing. */
    static final int DRAWS = 1 << 22;

    static long clientLo(int i) {
        return Addresses.ipv4Lo(0x0A00_0000 + (i & 0x00FF_FFFF) + ((i >>> 24) << 28));
    }

    static long vipLo(int i) {
        return Addresses.ipv4Lo(0x0A60_0000 | (i & 63));
    }

    static long missVipLo(int i) {
        return Addresses.ipv4Lo(0x0A61_0000 | (i & 63));
    }

    static long backendLo(int i) {
        return Addresses.ipv4Lo(0x0AF4_0001 | (i & 255) << 8);
    }

    static int clientPort(int i) {
        return 1024 + i % 60000;
    }

    static int origPorts(int i) {
        return ConntrackDescriptor.ports(clientPort(i), 80);
    }

    static int replyPorts(int i) {
        return ConntrackDescriptor.ports(8080, clientPort(i));
    }

    /** Key indexes to look up, uniformly at random over {@code [0, size)}. */
    static int[] draws(int size, long seed) {
        final SplittableRandom random = new SplittableRandom(seed);
        final int[] draws = new int[Math.min(DRAWS, Integer.highestOneBit(Math.max(1, size)) << 2)];
        for (int i = 0; i < draws.length; i++) {
            draws[i] = random.nextInt(size);
        }
        return draws;
    }
}
