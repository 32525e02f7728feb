package io.isthmus.fastpath.linux;

import java.lang.foreign.MemoryLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;

/** Named field accessors of the struct layouts: a VarHandle whose only coordinate is the struct's segment. */
final class Fields {
    private Fields() {
    }

    /** The field at path {@code names} (nested structs: outer first) of a struct at offset 0 of the segment. */
    static VarHandle of(MemoryLayout layout, String... names) {
        final MemoryLayout.PathElement[] path = new MemoryLayout.PathElement[names.length];
        for (int i = 0; i < names.length; i++) {
            path[i] = groupElement(names[i]);
        }
        return MethodHandles.insertCoordinates(layout.varHandle(path), 1, 0L);
    }
}
