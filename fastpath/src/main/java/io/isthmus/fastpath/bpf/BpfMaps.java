package io.isthmus.fastpath.bpf;

import io.isthmus.fastpath.linux.BpfAttrMapCreate;
import io.isthmus.fastpath.linux.BpfConstants;
import io.isthmus.fastpath.linux.Libc;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/** {@code BPF_MAP_CREATE} for the fast path's maps (XSKMAP, the uplink's port bitmap and frontends). */
final class BpfMaps {
    private BpfMaps() {
    }

    /**
     * Creates a map and returns its fd; {@code what} names it in the error ("XSKMAP", "HASH", ...).
     *
     * @throws io.isthmus.fastpath.linux.LinuxException with the errno when the kernel refuses
     */
    static int create(int mapType, int keyBytes, int valueBytes, int maxEntries, String name, String what) {
        try (Arena arena = Arena.ofConfined()) {
            final MemorySegment attr = arena.allocate(BpfAttrMapCreate.LAYOUT);
            BpfAttrMapCreate.MAP_TYPE.set(attr, mapType);
            BpfAttrMapCreate.KEY_SIZE.set(attr, keyBytes);
            BpfAttrMapCreate.VALUE_SIZE.set(attr, valueBytes);
            BpfAttrMapCreate.MAX_ENTRIES.set(attr, maxEntries);
            XskMap.copyName(attr, BpfAttrMapCreate.MAP_NAME_OFFSET, name);
            return (int) Libc.bpf(BpfConstants.BPF_MAP_CREATE, attr, "BPF_MAP_CREATE " + what + " " + name);
        }
    }
}
