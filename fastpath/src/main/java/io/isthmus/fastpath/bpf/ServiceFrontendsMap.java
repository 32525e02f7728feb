package io.isthmus.fastpath.bpf;

import io.isthmus.fastpath.linux.BpfAttrMapElem;
import io.isthmus.fastpath.linux.BpfConstants;
import io.isthmus.fastpath.linux.Libc;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Collection;
import java.util.HashSet;
import java.util.Set;

import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * The Service frontends outside clients reach on addresses that are not the node's (externalIPs,
 * LoadBalancer ingress IPs), exactly: a {@code BPF_MAP_TYPE_HASH} whose key is the frame's own
 * bytes, so the uplink's steering program copies them to its stack and looks them up as they are.
 *
 * <pre>
 *   key (8 bytes, as on the wire)
 *   0                   4         6       7       8
 *   +-------------------+---------+-------+-------+
 *   | destination IPv4  | dst port| proto |   0   |
 *   +-------------------+---------+-------+-------+
 *   value: u32 1
 * </pre>
 *
 * <p><b>Thread-safety:</b> updated by one slow-path owner at a time (the caller serialises); the
 * kernel makes each element update atomic for the program.
 */
public final class ServiceFrontendsMap implements AutoCloseable {
    public static final int MAX_ENTRIES = 65536;
    private static final ValueLayout.OfInt BE_INT = JAVA_INT.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfShort BE_SHORT = ValueLayout.JAVA_SHORT.withOrder(ByteOrder.BIG_ENDIAN);

    /** One frontend: IPv4 (network order as an int), port, IP protocol number (6 TCP, 17 UDP). */
    public record Frontend(int ipv4, int port, int protocol) {
    }

    private final int fd;
    private final Set<Frontend> current = new HashSet<>();
    private boolean closed;

    private ServiceFrontendsMap(int fd) {
        this.fd = fd;
    }

    public static ServiceFrontendsMap create(String name) {
        return new ServiceFrontendsMap(BpfMaps.create(BpfConstants.BPF_MAP_TYPE_HASH, 8, 4, MAX_ENTRIES, name, "HASH"));
    }

    public int fd() {
        return fd;
    }

    /** The frontends in the map now. */
    public Set<Frontend> frontends() {
        return Set.copyOf(current);
    }

    /** Makes the map hold exactly {@code frontends}: adds the new ones, then deletes the ones gone. */
    public void set(Collection<Frontend> frontends) {
        final Set<Frontend> wanted = new HashSet<>(frontends);
        if (wanted.size() > MAX_ENTRIES) {
            throw new IllegalArgumentException(wanted.size() + " frontends do not fit the map (" + MAX_ENTRIES + ")");
        }
        for (Frontend frontend : wanted) {
            if (!current.contains(frontend)) {
                write(BpfConstants.BPF_MAP_UPDATE_ELEM, frontend);
                current.add(frontend);
            }
        }
        for (Frontend frontend : Set.copyOf(current)) {
            if (!wanted.contains(frontend)) {
                write(BpfConstants.BPF_MAP_DELETE_ELEM, frontend);
                current.remove(frontend);
            }
        }
    }

    private void write(int command, Frontend frontend) {
        try (Arena arena = Arena.ofConfined()) {
            final MemorySegment key = arena.allocate(8);
            key.set(BE_INT, 0, frontend.ipv4());
            key.set(BE_SHORT, 4, (short) frontend.port());
            key.set(ValueLayout.JAVA_BYTE, 6, (byte) frontend.protocol());
            final MemorySegment attr = arena.allocate(BpfAttrMapElem.LAYOUT);
            BpfAttrMapElem.MAP_FD.set(attr, fd);
            BpfAttrMapElem.KEY.set(attr, key.address());
            if (command == BpfConstants.BPF_MAP_UPDATE_ELEM) {
                BpfAttrMapElem.VALUE.set(attr, arena.allocateFrom(JAVA_INT, 1).address());
                BpfAttrMapElem.FLAGS.set(attr, BpfConstants.BPF_ANY);
            }
            Libc.bpf(command, attr, (command == BpfConstants.BPF_MAP_UPDATE_ELEM ? "BPF_MAP_UPDATE_ELEM" : "BPF_MAP_DELETE_ELEM")
                    + " service frontend " + frontend);
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            Libc.close(fd, "service frontends map");
        }
    }
}
