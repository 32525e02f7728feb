package io.isthmus.fastpath.frame;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The memory that packet frames live in: a UMEM registered with AF_XDP sockets, or plain
 * off-heap memory for in-memory and pcap ports. A frame is named by its byte offset into
 * {@link #segment()} (the "address", as in {@code struct xdp_desc}); frame {@code i} starts at
 * {@code i * frameSizeBytes}.
 *
 * <pre>
 *   0            frameSize      2*frameSize              (frameCount-1)*frameSize
 *   +--------------+--------------+--------- ... ---------+--------------+
 *   |   frame 0    |   frame 1    |                       | frame n-1    |
 *   +--------------+--------------+--------- ... ---------+--------------+
 *   a descriptor's address may point past a frame's start (headroom), never past its end
 * </pre>
 *
 * <p><b>Thread-safety:</b> the segment is shared memory; which thread may touch a frame is decided
 * by ownership: a frame is on exactly one ring, in exactly one {@code PacketBatch}, or in the
 * {@link FramePool} of the worker that owns this memory.
 */
public record FrameMemory(MemorySegment segment, int frameSizeBytes, int frameCount) {

    public FrameMemory {
        if (Integer.bitCount(frameSizeBytes) != 1 || frameSizeBytes < 2048) {
            throw new IllegalArgumentException("frame size must be a power of two >= 2048, was " + frameSizeBytes);
        }
        if (frameCount <= 0 || segment.byteSize() < (long) frameSizeBytes * frameCount) {
            throw new IllegalArgumentException("segment of " + segment.byteSize() + " bytes cannot hold "
                    + frameCount + " frames of " + frameSizeBytes + " bytes");
        }
    }

    /** Page-aligned off-heap frames, for ports that are not AF_XDP. */
    public static FrameMemory allocate(Arena arena, int frameCount, int frameSizeBytes) {
        return new FrameMemory(arena.allocate((long) frameCount * frameSizeBytes, 4096), frameSizeBytes, frameCount);
    }

    /** The address of the first byte of frame {@code index}. */
    public long frameAddress(int index) {
        return (long) index * frameSizeBytes;
    }

    /** The start of the frame that contains {@code address} (aligned mode: frames are power-of-two sized). */
    public long frameBase(long address) {
        return address & ~((long) frameSizeBytes - 1);
    }
}
