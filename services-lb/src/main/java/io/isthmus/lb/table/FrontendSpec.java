package io.isthmus.lb.table;

import java.util.List;

/**
 * Everything slot 0 of a frontend says, plus its backends in slot order, as the compiler hands it
 * to {@link ServiceTableBuilder}. See {@link ServiceTableDescriptor} for the meaning of each field.
 * Frontends of one service port and family pass the same {@code backends} list object and the same
 * Maglev block; the builder then stores their backend slots once.
 *
 * @param maglevBlock      from {@link ServiceTableBuilder#addMaglevBlock}, -1 when there are no backends
 * @param sourceRangeBlock from {@link ServiceTableBuilder#addSourceRanges}, -1 when none
 * @param servicePortId    stable id of the service port (the affinity key)
 */
public record FrontendSpec(int flags, int affinityTimeoutSeconds, List<BackendSlot> backends,
                           int clusterFirstSlot, int clusterCount, int localCount, int maglevBlock, int sourceRangeBlock,
                           int servicePortId) {

    public FrontendSpec {
        if (localCount > backends.size() || (clusterCount > 0 && clusterFirstSlot + clusterCount - 1 > backends.size())) {
            throw new IllegalArgumentException("backend sets exceed the " + backends.size() + " backends: cluster "
                    + clusterFirstSlot + "+" + clusterCount + ", local " + localCount);
        }
        if (clusterCount > 0 && maglevBlock < 0) {
            throw new IllegalArgumentException("a frontend with backends needs a Maglev block");
        }
    }
}
