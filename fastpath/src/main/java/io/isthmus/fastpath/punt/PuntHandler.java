package io.isthmus.fastpath.punt;

import java.lang.foreign.MemorySegment;

/**
 * Receives punted frames from {@link PuntQueue#drain}. The bytes are valid only during the call:
 * copy what you keep (the ring reuses the space once the call returns).
 */
@FunctionalInterface
public interface PuntHandler {
    /**
     * @param memory       the ring's memory
     * @param frameOffset  where the frame (Ethernet header first) starts in {@code memory}
     * @param frameLength  its length in bytes
     * @param ingressPort  the port it came in on (an id of the worker that punted it)
     */
    void onFrame(MemorySegment memory, long frameOffset, int frameLength, int ingressPort);
}
