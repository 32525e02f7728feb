package io.isthmus.fastpath.bpf;

import io.isthmus.fastpath.linux.BpfAttrMapElem;
import io.isthmus.fastpath.linux.BpfAttrMapCreate;
import io.isthmus.fastpath.linux.BpfConstants;
import io.isthmus.fastpath.linux.Libc;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * A {@code BPF_MAP_TYPE_XSKMAP}: key = the receive queue index, value = the fd of the AF_XDP
 * socket that takes that queue's frames. The XDP program looks a frame's
 * {@code rx_queue_index} up in it ({@code bpf_redirect_map}). The map lives as long as its fd
 * or a program that uses it.
 *
 * <p><b>Thread-safety:</b> slow path only; one owner (the attachment of one interface).
 */
public final class XskMap implements AutoCloseable {
    private final int fd;
    private final int maxEntries;
    private boolean closed;

    private XskMap(int fd, int maxEntries) {
        this.fd = fd;
        this.maxEntries = maxEntries;
    }

    /** Creates a map for queues {@code 0 .. maxEntries-1}; {@code name} (at most 15 chars) shows in bpftool. */
    public static XskMap create(String name, int maxEntries) {
        final int fd = BpfMaps.create(BpfConstants.BPF_MAP_TYPE_XSKMAP, 4, 4, maxEntries, name, "XSKMAP");
        return new XskMap(fd, maxEntries);
    }

    /** Writes {@code name} as a NUL-terminated BPF object name (letters, digits, '_' and '.'; 15 bytes at most). */
    static void copyName(MemorySegment attr, long offset, String name) {
        final byte[] bytes = name.replaceAll("[^A-Za-z0-9_.]", "_").getBytes(StandardCharsets.US_ASCII);
        MemorySegment.copy(bytes, 0, attr, JAVA_BYTE, offset,
                Math.min(bytes.length, BpfAttrMapCreate.OBJ_NAME_LEN - 1));
    }

    public int fd() {
        return fd;
    }

    public int maxEntries() {
        return maxEntries;
    }

    /** Sends queue {@code queueIndex}'s frames to the AF_XDP socket {@code xskFd}. */
    public void put(int queueIndex, int xskFd) {
        try (Arena arena = Arena.ofConfined()) {
            final MemorySegment key = arena.allocateFrom(JAVA_INT, queueIndex);
            final MemorySegment value = arena.allocateFrom(JAVA_INT, xskFd);
            final MemorySegment attr = arena.allocate(BpfAttrMapElem.LAYOUT);
            BpfAttrMapElem.MAP_FD.set(attr, fd);
            BpfAttrMapElem.KEY.set(attr, key.address());
            BpfAttrMapElem.VALUE.set(attr, value.address());
            BpfAttrMapElem.FLAGS.set(attr, BpfConstants.BPF_ANY);
            Libc.bpf(BpfConstants.BPF_MAP_UPDATE_ELEM, attr, "BPF_MAP_UPDATE_ELEM XSKMAP[" + queueIndex + "] = fd " + xskFd);
        }
    }

    /** Removes queue {@code queueIndex}'s socket: its frames then take the program's fallback (XDP_PASS). */
    public void delete(int queueIndex) {
        try (Arena arena = Arena.ofConfined()) {
            final MemorySegment key = arena.allocateFrom(JAVA_INT, queueIndex);
            final MemorySegment attr = arena.allocate(BpfAttrMapElem.LAYOUT);
            BpfAttrMapElem.MAP_FD.set(attr, fd);
            BpfAttrMapElem.KEY.set(attr, key.address());
            Libc.bpf(BpfConstants.BPF_MAP_DELETE_ELEM, attr, "BPF_MAP_DELETE_ELEM XSKMAP[" + queueIndex + "]");
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            Libc.close(fd, "XSKMAP");
        }
    }
}
