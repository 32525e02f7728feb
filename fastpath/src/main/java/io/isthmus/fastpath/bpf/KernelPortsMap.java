package io.isthmus.fastpath.bpf;

import io.isthmus.fastpath.linux.BpfAttrMapElem;
import io.isthmus.fastpath.linux.BpfConstants;
import io.isthmus.fastpath.linux.Libc;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * The ports of the node addresses that stay the kernel's although they are in the NodePort range:
 * a {@code BPF_MAP_TYPE_ARRAY} of {@value #WORDS} 32-bit words, one bit per port (word
 * {@code port >>> 5}, bit {@code port & 31}), read by the uplink's steering program. kube-proxy's
 * health-check node ports are allocated from the NodePort range but are served by an HTTP server
 * on the host, so they go here; the map changes while the program runs (no reload).
 *
 * <pre>
 *   word:  0          1                 ...  937 (ports 29984..30015)  ...  2047
 *        [ 0..31 ] [ 32..63 ]           ...  [ bit 30000 & 31 = 16 ]   ...  [ 65504..65535 ]
 * </pre>
 *
 * <p><b>Thread-safety:</b> the kernel makes each word update atomic for the program; updates come
 * from one slow-path owner at a time (the caller serialises them).
 */
public final class KernelPortsMap implements AutoCloseable {
    public static final int WORDS = 65536 / 32;

    private final int fd;
    private final int[] words = new int[WORDS];
    private boolean closed;

    private KernelPortsMap(int fd) {
        this.fd = fd;
    }

    public static KernelPortsMap create(String name) {
        return new KernelPortsMap(BpfMaps.create(BpfConstants.BPF_MAP_TYPE_ARRAY, 4, 4, WORDS, name, "ARRAY"));
    }

    public int fd() {
        return fd;
    }

    /** Whether {@code port} is marked the kernel's. */
    public boolean contains(int port) {
        return (words[port >>> 5] & (1 << (port & 31))) != 0;
    }

    /** Makes exactly {@code ports} (each 0..65535) the kernel's: only the words that change are written. */
    public void set(java.util.Collection<Integer> ports) {
        final int[] wanted = new int[WORDS];
        for (int port : ports) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port out of range 0..65535: " + port);
            }
            wanted[port >>> 5] |= 1 << (port & 31);
        }
        for (int word = 0; word < WORDS; word++) {
            if (wanted[word] != words[word]) {
                write(word, wanted[word]);
                words[word] = wanted[word];
            }
        }
    }

    private void write(int word, int value) {
        try (Arena arena = Arena.ofConfined()) {
            final MemorySegment attr = arena.allocate(BpfAttrMapElem.LAYOUT);
            BpfAttrMapElem.MAP_FD.set(attr, fd);
            BpfAttrMapElem.KEY.set(attr, arena.allocateFrom(JAVA_INT, word).address());
            BpfAttrMapElem.VALUE.set(attr, arena.allocateFrom(JAVA_INT, value).address());
            BpfAttrMapElem.FLAGS.set(attr, BpfConstants.BPF_ANY);
            Libc.bpf(BpfConstants.BPF_MAP_UPDATE_ELEM, attr, "BPF_MAP_UPDATE_ELEM kernel ports[" + word + "]");
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            Libc.close(fd, "kernel ports map");
        }
    }
}
