package io.isthmus.conntrack.nat;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Source ports of one (node address, protocol) pair over an inclusive range: a bitmap, one bit
 * per port, set while a connection holds it. Allocation starts at a word chosen from a hint
 * (normally the flow's hash), so concurrent workers rarely touch the same word, then scans on.
 *
 * <p>Thread-safety: lock-free. Any number of threads allocate (compareAndSet on a bitmap word;
 * a lost race moves to the next free bit); releases (the sweeper, or a worker that failed to
 * insert) clear the bit with compareAndSet. Words are read with getAcquire.
 */
public final class SnatPortAllocator {

    private static final VarHandle WORDS = MethodHandles.arrayElementVarHandle(long[].class);

    private final int firstPort;
    private final int lastPort;
    private final long[] words;

    public SnatPortAllocator(int firstPort, int lastPort) {
        if (firstPort < 1 || lastPort > 65535 || firstPort > lastPort) {
            throw new IllegalArgumentException("SNAT port range must be within 1..65535 and first <= last, got "
                + firstPort + ".." + lastPort);
        }
        this.firstPort = firstPort;
        this.lastPort = lastPort;
        final int ports = lastPort - firstPort + 1;
        this.words = new long[(ports + 63) >>> 6];
        // Bits past the end of the range are permanently taken.
        final int tail = ports & 63;
        if (tail != 0) {
            words[words.length - 1] = -1L << tail;
        }
    }

    public int firstPort() {
        return firstPort;
    }

    public int lastPort() {
        return lastPort;
    }

    /** A free port, now taken, or -1 if the range is exhausted. */
    public int allocate(int hint) {
        final int start = Integer.remainderUnsigned(hint, words.length);
        for (int n = 0; n < words.length; n++) {
            int w = start + n;
            if (w >= words.length) {
                w -= words.length;
            }
            long word = (long) WORDS.getAcquire(words, w);
            while (word != -1L) {
                final long bit = Long.lowestOneBit(~word);
                if (WORDS.compareAndSet(words, w, word, word | bit)) {
                    return firstPort + (w << 6) + Long.numberOfTrailingZeros(bit);
                }
                word = (long) WORDS.getAcquire(words, w);
            }
        }
        return -1;
    }

    /** Takes a specific port (recovery after a restart). False if it was already taken or out of range. */
    public boolean take(int port) {
        if (port < firstPort || port > lastPort) {
            return false;
        }
        final int offset = port - firstPort;
        final long bit = 1L << (offset & 63);
        while (true) {
            final long word = (long) WORDS.getAcquire(words, offset >>> 6);
            if ((word & bit) != 0) {
                return false;
            }
            if (WORDS.compareAndSet(words, offset >>> 6, word, word | bit)) {
                return true;
            }
        }
    }

    /** Gives a port back. False if it was not taken (a double release: a bug in the caller). */
    public boolean release(int port) {
        if (port < firstPort || port > lastPort) {
            return false;
        }
        final int offset = port - firstPort;
        final long bit = 1L << (offset & 63);
        while (true) {
            final long word = (long) WORDS.getAcquire(words, offset >>> 6);
            if ((word & bit) == 0) {
                return false;
            }
            if (WORDS.compareAndSet(words, offset >>> 6, word, word & ~bit)) {
                return true;
            }
        }
    }

    public boolean isTaken(int port) {
        final int offset = port - firstPort;
        return ((long) WORDS.getAcquire(words, offset >>> 6) & (1L << (offset & 63))) != 0;
    }

    /** Ports currently taken (a racy count). */
    public int takenCount() {
        int taken = 0;
        for (int w = 0; w < words.length; w++) {
            taken += Long.bitCount((long) WORDS.getAcquire(words, w));
        }
        final int tail = (lastPort - firstPort + 1) & 63;
        return tail == 0 ? taken : taken - (64 - tail);
    }
}
